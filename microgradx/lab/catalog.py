"""The activation functions at a glance: their values and derivatives at chosen points, and plots.

Used by ``microgradx activations`` and by ``docs/make_plots.py``. Derivatives come from the
engine's own backward pass (one ``backward()`` per activation), so the table shows exactly what
training uses, including the value chosen at a kink (relu'(0) = 0, leaky_relu'(0) = 0.01, …).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import activations as A
from .. import diagnostics, validation
from ..function import Function
from ..functional import elu, leaky_relu, prelu, relu, selu, sigmoid, tanh
from ..tensor import Tensor

__all__ = [
    "ACTIVATION_INFO",
    "DEFAULT_POINTS",
    "ActivationInfo",
    "plot_activation",
    "table",
    "values_and_derivatives",
]

DEFAULT_POINTS = (-3.0, -1.0, 0.0, 1.0, 3.0)


@dataclass(frozen=True)
class ActivationInfo:
    """One activation: its function on tensors, formula and derivative as text, and its range."""

    name: str
    fn: Callable[[Tensor], Tensor]
    formula: str
    derivative: str
    range: str


#: The hyper-parameter values the catalog shows (the defaults of the functions and modules).
_SHOWN = SimpleNamespace(negative_slope=0.01, alpha=1.0)


def _info(name: str, op: type[Function], fn: Callable[[Tensor], Tensor], note: str = "") -> ActivationInfo:
    """An `ActivationInfo` whose texts are the op class's own ``formula``, ``derivatives`` and
    ``output_range`` (the metadata the traces and graphs show), written for the input x."""
    formula = op.formula.format("x", "a", ctx=_SHOWN)
    derivative = op.derivatives[0].format("x", "a", ctx=_SHOWN)
    return ActivationInfo(
        name, fn, f"{name}(x) = {formula}{note}", f"{name}′(x) = {derivative}", op.output_range
    )


ACTIVATION_INFO: dict[str, ActivationInfo] = {
    a.name: a
    for a in (
        _info("sigmoid", A.Sigmoid, sigmoid),
        _info("tanh", A.Tanh, tanh),
        _info("relu", A.ReLU, relu),
        _info("leaky_relu", A.LeakyReLU, leaky_relu),
        _info("prelu", A.PReLU, lambda t: prelu(t, np.array([0.25])), " (a = 0.25, trained)"),
        _info("elu", A.ELU, elu),
        _info("selu", A.SELU, selu, f" (λ = {A.SELU_SCALE:.4f}, α = {A.SELU_ALPHA:.4f})"),
    )
}


def _get(name: str) -> ActivationInfo:
    return validation.choice(name, ACTIVATION_INFO, "activation")


def values_and_derivatives(name: str, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), f'(x))`` for the activation ``name`` at the points ``x`` (one backward pass)."""
    info = _get(name)
    t = Tensor(np.asarray(x, dtype=float), requires_grad=True)
    out = info.fn(t)
    out.sum().backward()  # ∂(Σ f(xᵢ))/∂xᵢ = f'(xᵢ): the activation acts elementwise
    assert t.grad is not None
    return out.data.copy(), t.grad.copy()


def table(names: Sequence[str] | None = None, points: Sequence[float] = DEFAULT_POINTS) -> str:
    """A text table: for each activation, a row of f(x) and a row of f'(x) at ``points``."""
    names = list(ACTIVATION_INFO) if not names else list(names)
    headers = ["activation", ""] + [f"x = {p:g}" for p in points]
    rows = []
    for name in names:
        f, d = values_and_derivatives(name, points)
        rows.append([name, "f(x)"] + [f"{v:.4f}" for v in f])
        rows.append(["", "f'(x)"] + [f"{v:.4f}" for v in d])
    return diagnostics.format_table(headers, rows)


def _negative_side_is_tiny(x: np.ndarray, f: np.ndarray) -> bool:
    """True when f is non-zero but tiny for x < 0 (leaky ReLU's 0.01·x): a zoomed panel shows it."""
    neg = np.abs(f[x < 0])
    return bool(neg.size and 0 < neg.max() < 0.05 * max(np.abs(f).max(), 1e-300))


def _draw(ax: Any, x: np.ndarray, f: np.ndarray, d: np.ndarray, name: str) -> None:
    ax.axhline(0, color="#cccccc", linewidth=0.8)
    ax.axvline(0, color="#cccccc", linewidth=0.8)
    ax.plot(x, f, label=f"{name}(x)", color="#1f77b4")
    # draw the derivative with a break at a jump, so no vertical line is drawn at a kink
    jump = np.abs(np.diff(d)) > 0.05
    d_plot = d.copy()
    d_plot[1:][jump] = np.nan
    ax.plot(x, d_plot, label=f"{name}'(x)", color="#d62728", linestyle="--")
    ax.set_xlabel("x")


def plot_activation(name: str, path: Any, low: float = -4.0, high: float = 4.0, notice: bool = True):
    """Save ``name`` and its derivative on one set of axes (PNG); None without matplotlib.

    Where the negative side is too small to see at full scale (leaky ReLU's 0.01·x), a second
    panel zooms into x < 0 so the slope can be read off.
    """
    Figure = diagnostics.get_figure(notice)
    if Figure is None:
        return None
    info = _get(name)
    x = np.linspace(low, high, 801)
    f, d = values_and_derivatives(name, x)
    zoom = _negative_side_is_tiny(x, f)
    fig = Figure(figsize=(6.6 if zoom else 4.2, 2.8), layout="constrained")
    axes = fig.subplots(1, 2 if zoom else 1, squeeze=False)[0]
    ax = axes[0]
    _draw(ax, x, f, d, name)
    ax.set_ylabel("f(x) and f'(x)")
    ax.set_title(info.formula, fontsize=8)
    ax.legend(fontsize=8, loc="upper left")
    if zoom:
        z = axes[1]
        keep = x <= 0.25
        _draw(z, x[keep], f[keep], d[keep], name)
        neg = np.concatenate([f[x < 0], d[x < 0]])
        pad = 0.25 * (neg.max() - neg.min())
        z.set_ylim(neg.min() - pad, neg.max() + pad)
        z.set_ylabel("f(x) and f'(x), zoomed")
        z.set_title(f"x < 0 zoomed: slope {float(d[0]):g}, f({low:g}) = {float(f[0]):g}", fontsize=8)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=diagnostics.PLOT_DPI)
    return path
