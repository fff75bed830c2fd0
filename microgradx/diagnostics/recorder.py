"""Recording a model's forward pass layer by layer (`Recorder`, `record`) and summarizing it
(`Recording.stats`, `Recording.table`).

`Recorder` watches every `nn.Layer` (and activation modules standing alone in a `Sequential`) by
shadowing its ``forward`` with an instance attribute for the duration of a ``with`` block; the
pre-activation z of a Layer is recomputed in NumPy from its input (x W + b, the same arithmetic),
so recording works inside ``no_grad()`` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..nn.layers import _activation_name as activation_name
from ..tensor import Tensor
from .measures import (
    SATURATING,
    _array,
    _units_2d,
    backward_signal,
    dead_fraction,
    delta_size,
    distinct_units,
    histogram,
    saturated_fraction,
    unit_std,
)
from .tables import _num, _pct, _sci, format_table

__all__ = ["LayerRecord", "LayerStats", "Recorder", "Recording", "record", "record_backward"]


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
        z_tensor: the pre-activation Tensor when it is part of the graph (`Recording.from_tensors`).
    """

    name: str
    activation: str | None
    z: np.ndarray
    a: np.ndarray
    output: Any = None
    module: Any = None
    z_tensor: Any = None

    @property
    def delta(self) -> np.ndarray | None:
        """The backward signal δ = ∂L/∂z, shape (batch, units); None before ``loss.backward()``.

        From ∂L/∂a (the output's ``.grad``) through the activation: δ = g′(z) ⊙ ∂L/∂a.
        """
        if self.z_tensor is not None and getattr(self.z_tensor, "grad", None) is not None:
            return _units_2d(np.asarray(self.z_tensor.grad), self.name)
        grad = getattr(self.output, "grad", None)
        if grad is None:
            return None
        from ..nn import Layer

        act = self.module.activation if isinstance(self.module, Layer) else self.module
        if self.activation is None:
            act = None
        elif act is None:  # recorded by hand with an activation name
            from .. import functional

            act = getattr(functional, self.activation)
        return _units_2d(backward_signal(act, self.z, grad), self.name)


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
    saturated: float | None = None  # sigmoid/tanh: fraction of saturated outputs (measures.saturated)
    distinct: int = 0  # number of different units (outputs) on this batch
    unit_std: float = 0.0  # forward signal: each unit's std over examples, mean over units
    delta_mean_abs: float | None = None  # backward signal: mean |∂L/∂z| (after backward)
    delta_rms: float | None = None  # backward signal: RMS of ∂L/∂z (after backward)
    weight_grad_norm: float | None = None
    output_grad_norm: float | None = None
    extra: dict = field(default_factory=dict)


def _recordable(model: Any) -> list[tuple[str, Any, str]]:
    """``(name, module, kind)`` of the modules to watch: every Layer, and activation modules that
    stand alone (in a Sequential), in forward order."""
    from ..nn import ACTIVATIONS, Layer

    act_classes = tuple(ACTIVATIONS.values())
    owned = set()
    found: list[tuple[str, Any, str]] = []
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

        Examples:
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
                    z_tensor=z if isinstance(z, Tensor) else None,
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
                unit_std=unit_std(rec.a),
            )
            if act == "relu":
                s.dead = s.negative
            if act in SATURATING:
                s.saturated = saturated_fraction(rec.a, act)
            delta = rec.delta
            if delta is not None:
                s.delta_mean_abs = delta_size(delta, "mean_abs")
                s.delta_rms = delta_size(delta, "rms")
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
                    _sci(s.delta_mean_abs),
                    _sci(s.weight_grad_norm),
                ]
            )
        return format_table(
            [
                "layer",
                "act",
                "units",
                "mean",
                "std",
                "dead",
                "saturated",
                "distinct",
                "mean|dL/dz|",
                "|dL/dW|",
            ],
            rows,
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

    Examples:
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
                act_name = activation_name(act)
            else:
                z, act_name = x, activation_name(module)
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


def record_backward(model: Any, x: Any, target: Any, loss: Any = None) -> tuple[Recording, Any]:
    """Run ``model(x)`` recording every layer, then ``loss(output, target).backward()``.

    The recording's `Recording.stats` then hold both gauges of gradient flow for every layer:
    the backward signal δ = ∂L/∂z (``delta_rms``, ``delta_mean_abs``) and ‖∂L/∂W‖
    (``weight_grad_norm``), beside the forward signal (``unit_std``). ``loss`` defaults to the
    mean squared error (`microgradx.functional.mse_loss`). Gradients accumulate into the
    model's ``.grad`` as after any backward pass; zero them first if they hold older ones.
    Returns ``(recording, loss tensor)``.

    Examples:
        >>> import numpy as np
        >>> from microgradx import nn
        >>> net = nn.MLP(2, [4, 4, 1], activation="tanh", rng=0)
        >>> rec, L = record_backward(net, np.ones((3, 2)), np.zeros((3, 1)))
        >>> all(s.delta_rms is not None and s.weight_grad_norm is not None for s in rec.stats())
        True
    """
    from ..function import enable_grad
    from ..functional import mse_loss

    loss_fn = mse_loss if loss is None else loss
    xt = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=float))
    tt = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=float))
    with enable_grad():
        with Recorder(model) as rec:
            out = model(xt)
        L = loss_fn(out, tt)
        L.backward()
    return rec, L
