"""Recording a model's forward pass layer by layer (`Recorder`, `record`) and summarizing it
(`Recording.stats`, `Recording.table`).

`Recorder` watches every `nn.Layer` (and activation modules standing alone in a `Sequential`) by
shadowing its ``forward`` with an instance attribute for the duration of a ``with`` block; the
pre-activation z of a Layer is recomputed in NumPy from its input (x W + b, the same arithmetic),
so recording works inside ``no_grad()`` too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..tensor import Tensor
from .measures import (
    SATURATION_THRESHOLDS,
    _array,
    _units_2d,
    dead_fraction,
    distinct_units,
    histogram,
    saturated_fraction,
)
from .tables import _num, _pct, _sci, format_table

__all__ = ["LayerRecord", "LayerStats", "Recording", "Recorder", "record"]


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
    dead: float | None = None  # ReLU: fraction of units with z ≤ 0 on every example
    negative: float = 0.0  # any activation: fraction of units with z ≤ 0 everywhere
    saturated: float | None = None  # sigmoid/tanh: fraction of values beyond the threshold
    distinct: int = 0  # number of different units (outputs) on this batch
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
    from ..nn import ACTIVATIONS, Layer

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
            records.append(
                LayerRecord(
                    name,
                    act,
                    _units_2d(_array(z), "Recording"),
                    _units_2d(_array(a), "Recording"),
                    a if isinstance(a, Tensor) else None,
                )
            )
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
                name=rec.name,
                activation=act,
                units=rec.a.shape[-1],
                mean=float(rec.a.mean()),
                std=float(rec.a.std()),
                negative=dead_fraction(rec.z),
                distinct=distinct_units(rec.a),
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
            rows.append(
                [
                    s.name,
                    s.activation or "-",
                    s.units,
                    _num(s.mean, "+.4f"),
                    _num(s.std, ".4f"),
                    _pct(s.dead),
                    _pct(s.saturated),
                    f"{s.distinct}/{s.units}",
                    _sci(s.weight_grad_norm),
                ]
            )
        return format_table(
            ["layer", "act", "units", "mean", "std", "dead", "saturated", "distinct", "|dL/dW|"], rows
        )

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
            records.append(
                LayerRecord(
                    name, act_name, _units_2d(np.asarray(z), name), _units_2d(_array(out), name), out, module
                )
            )
            return out

        return forward


def record(model: Any, x: Any) -> tuple[Recording, Any]:
    """Run ``model(x)`` once, recording every layer. Returns ``(recording, output)``."""
    with Recorder(model) as rec:
        out = model(x)
    return rec, out
