"""The lab's machinery: the `Result` every experiment returns, the registry, data, seeds and training with `fit`.

An experiment is a function ``name(out=None, *, seed=0, verbose=True, **sizes) -> Result``
registered with `experiment`. It measures, then returns a `Result` holding its numbers (a flat
dict the tests read), a small table, a one-line conclusion quoting the numbers, and the places
where the lecture notes turned out wrong or imprecise. With ``verbose`` it prints all of that;
with ``out`` it writes its plots there (when matplotlib is installed).
"""

from __future__ import annotations

import math
import pathlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import diagnostics
from ..formatting import spread_text
from ..function import no_grad
from ..functional import mse_loss
from ..optim import SGD
from ..tensor import Tensor
from ..train import diverged, fit

__all__ = [
    "EXPERIMENTS",
    "SEEDS",
    "WEIGHT_GRAD_NOTE",
    "Experiment",
    "FlowProbe",
    "Result",
    "TrainRun",
    "best_line_mse",
    "experiment",
    "final_mse",
    "gaussian_data",
    "gradient_flow",
    "probe_flow",
    "range_of",
    "seed_list",
    "sine_data",
    "spread",
    "text",
    "train",
]


@dataclass
class Result:
    """What an experiment measured.

    Attributes:
        name: the experiment's name (``"dying-relu"``).
        numbers: the measured numbers, by key (``result["dead_high_lr"]`` reads one).
        headers, rows: the table printed.
        conclusion: one line quoting the numbers.
        errata: where the notes' claim is false or imprecise, as measured (may be empty).
        files: plots written.
        setup: one line describing the network, data and training.
        description: the claim tested (the experiment's one-line description).
        note: how to read the table (e.g. why ‖∂L/∂W‖ is not the gauge of gradient flow).
        diagnosis: what `microgradx.why` says about a gradient the experiment is about (the
            dying-ReLU experiment: why a dead unit's weights get a zero gradient), or "".
    """

    name: str
    numbers: dict[str, Any] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    conclusion: str = ""
    errata: list[str] = field(default_factory=list)
    files: list[pathlib.Path] = field(default_factory=list)
    setup: str = ""
    description: str = ""
    note: str = ""
    diagnosis: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.numbers[key]

    def __contains__(self, key: str) -> bool:
        return key in self.numbers

    def table(self) -> str:
        return diagnostics.format_table(self.headers, self.rows) if self.headers else ""

    def __str__(self) -> str:
        parts = [f"lab {self.name}: {self.description}" if self.description else f"lab {self.name}"]
        if self.setup:
            parts.append(f"setup: {self.setup}")
        if self.headers:
            parts.append(self.table())
        if self.note:
            parts.append(f"note: {self.note}")
        parts.append(f"conclusion: {self.conclusion}")
        if self.diagnosis:
            parts.append(f"why: {self.diagnosis}")
        for e in self.errata:
            parts.append(f"notes erratum: {e}")
        for f in self.files:
            parts.append(f"wrote {f}")
        return "\n".join(parts)


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its name, one-line description and function."""

    name: str
    description: str
    function: Callable[..., Result]

    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        return self.function(*args, **kwargs)


#: Every experiment, by name, in the order of the notes.
EXPERIMENTS: dict[str, Experiment] = {}


def experiment(name: str, description: str):
    """Decorator: register ``fn`` under ``name``; the wrapped function prints its result when
    ``verbose`` (default True) and returns it."""

    def register(fn: Callable[..., Result]) -> Callable[..., Result]:
        def run(out: Any = None, *, verbose: bool = True, **kwargs: Any) -> Result:
            out_dir = None if out is None else pathlib.Path(out)
            result = fn(out_dir, **kwargs)
            result.name = name
            result.description = description
            if verbose:
                print(result)
            return result

        run.__name__ = fn.__name__
        run.__qualname__ = fn.__qualname__
        run.__doc__ = fn.__doc__
        run.__module__ = fn.__module__
        run.__wrapped__ = fn  # type: ignore[attr-defined]
        EXPERIMENTS[name] = Experiment(name, description, run)
        return run

    return register


# ---------------------------------------------------------------------------- data
def sine_data(n: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``x`` uniform in [−1, 1] (sorted, the notes' input range), ``y = sin(πx)``, no noise.

    Var(y) ≈ 0.45 is what a constant prediction scores; the best straight line ≈ 0.21.
    """
    gen = np.random.default_rng(seed)
    X = np.sort(gen.uniform(-1.0, 1.0, size=(n, 1)), axis=0)
    return X, np.sin(np.pi * X)


def gaussian_data(n: int = 256, features: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardized inputs ``X ~ N(0, 1)`` of shape ``(n, features)``, target ``sin(x₀ + x₁)``."""
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n, features))
    return X, np.sin(X[:, :1] + X[:, 1:2])


def best_line_mse(X: np.ndarray, y: np.ndarray) -> float:
    """MSE of the least-squares affine fit ``y ≈ X w + b``: the best any linear model can do."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.mean((A @ coef - y) ** 2))


# ---------------------------------------------------------------------------- training
@dataclass
class TrainRun:
    """A `fit` loss history; ``diverged_at`` is the epoch where `fit` saw the loss diverge (None if
    never: see `microgradx.train.diverged`)."""

    losses: list[float]
    diverged_at: int | None = None

    @property
    def final(self) -> float:
        return self.losses[-1] if self.losses else math.nan

    @property
    def peak(self) -> tuple[float, int]:
        """``(largest loss, its epoch)``."""
        if not self.losses:
            return math.nan, 0
        i = int(np.nanargmax(self.losses)) if np.isfinite(self.losses).any() else len(self.losses) - 1
        return float(self.losses[i]), i


def train(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    momentum: float = 0.0,
    callback: Callable[[int, float], Any] | None = None,
) -> TrainRun:
    """The library's `fit` (full batch, MSE, ``SGD(lr, momentum)``), quiet, as every experiment trains.

    `fit` stops where the loss diverges (nan, infinite or `microgradx.train.DIVERGENCE_FACTOR`
    times the first epoch's); the lab records that epoch in ``diverged_at`` instead of warning.
    ``callback(epoch, loss)`` runs after every epoch, as in `fit`.
    """
    opt = SGD(model.parameters(), lr=lr, momentum=momentum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the divergence warning and overflow
        with np.errstate(all="ignore"):
            history = fit(model, X, y, optimizer=opt, epochs=epochs, progress=False, callback=callback)
    return TrainRun(history, diverged(history))


def final_mse(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    """The library's `mse_loss` of ``model`` on ``(X, y)``, without recording a graph."""
    with no_grad(), np.errstate(all="ignore"):
        return float(mse_loss(model(Tensor(X)), Tensor(y)).data)


# ---------------------------------------------------------------------------- seeds
#: The seeds every headline number is measured over (its median and range are reported).
SEEDS = (0, 1, 2, 3, 4)


def seed_list(seed: int = 0, seeds: int = len(SEEDS)) -> list[int]:
    """``seeds`` consecutive seeds starting at ``seed``: the runs behind one median [min–max]."""
    if seeds < 1:
        raise ValueError(f"lab: seeds must be a positive int, got {seeds!r}")
    return [seed + k for k in range(seeds)]


def spread(values: Any) -> dict[str, float]:
    """``{"median", "min", "max"}`` of the per-seed values."""
    v = np.asarray(list(values), dtype=float)
    return {"median": float(np.median(v)), "min": float(np.min(v)), "max": float(np.max(v))}


# ---------------------------------------------------------------------------- gradient flow
def gradient_flow(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[list[diagnostics.LayerStats], Any]:
    """Per-layer stats of the hidden layers after one forward and backward pass of the MSE, and
    the recording of those layers: δ = ∂L/∂z (``delta_rms``, ``delta_mean_abs``), the forward
    signal (``unit_std``) and ‖∂L/∂W‖ (``weight_grad_norm``). Gradients are zeroed afterwards."""
    model.zero_grad()
    rec, _ = diagnostics.record_backward(model, X, y)
    stats = rec.stats()[:-1]
    model.zero_grad()
    return stats, diagnostics.Recording(rec.layers[:-1])


@dataclass
class FlowProbe:
    """One network configuration measured over seeds: per seed, the hidden layers' stats.

    ``delta[s][l]``: RMS of δ = ∂L/∂z at hidden layer l (input side first) for seed s;
    ``std``: the forward signal's per-unit std; ``wnorm``: ‖∂L/∂W‖; ``first``: the first seed's
    recording (for histograms).
    """

    seeds: list[int]
    stats: list[list[diagnostics.LayerStats]]
    first: Any

    def _per_layer(self, attr: str) -> list[list[float]]:
        return [
            [float("nan") if getattr(s, attr) is None else float(getattr(s, attr)) for s in run]
            for run in self.stats
        ]

    @property
    def delta(self) -> list[list[float]]:
        return self._per_layer("delta_rms")

    @property
    def std(self) -> list[list[float]]:
        return self._per_layer("unit_std")

    @property
    def wnorm(self) -> list[list[float]]:
        return self._per_layer("weight_grad_norm")

    def ratio(self, what: str = "delta") -> dict[str, float]:
        """First hidden layer over last (``delta``, ``wnorm``) or last over first (``std``),
        per seed, as `spread` (median, min, max)."""
        runs = getattr(self, what)
        values = [r[-1] / r[0] for r in runs] if what == "std" else [r[0] / r[-1] for r in runs]
        return spread(values)

    def layer(self, what: str, index: int) -> dict[str, float]:
        """``what`` (``delta``, ``std``, ``wnorm``) at hidden layer ``index`` over the seeds."""
        return spread(r[index] for r in getattr(self, what))

    def profile(self, what: str) -> list[float]:
        """The per-seed median of ``what`` at every hidden layer (for plots)."""
        return [float(v) for v in np.median(np.asarray(getattr(self, what)), axis=0)]

    def stat(self, fn: Callable[[list[diagnostics.LayerStats]], float]) -> dict[str, float]:
        """``fn(a seed's layer stats)`` over the seeds, as `spread`."""
        return spread(fn(run) for run in self.stats)


def probe_flow(
    activation: Any,
    init: Any,
    *,
    depth: int,
    width: int,
    n: int,
    seeds: list[int],
) -> FlowProbe:
    """``MLP(width, [width]×depth + [1])`` on `gaussian_data` (seed s for data and weights), one
    backward pass of the MSE per seed: the gradient flow of that configuration (`FlowProbe`)."""
    from ..nn import MLP

    stats = []
    first = None
    for s in seeds:
        X, y = gaussian_data(n, width, s)
        net = MLP(width, [width] * depth + [1], activation=activation, init=init, rng=s)
        with np.errstate(all="ignore"):
            st, rec = gradient_flow(net, X, y)
        stats.append(st)
        if first is None:
            first = rec
    return FlowProbe(list(seeds), stats, first)


def range_of(sp: dict[str, float]) -> list[float]:
    """``[min, max]`` of a `spread`."""
    return [sp["min"], sp["max"]]


def text(sp: dict[str, float], style: Any = None) -> str:
    """A `spread` as "median [min–max]"."""
    return spread_text(sp["median"], sp["min"], sp["max"], style)


#: Why the lab reads δ, not ‖∂L/∂W‖, as the gauge of gradient flow (printed under its tables).
WEIGHT_GRAD_NOTE = (
    "‖∂L/∂W_l‖ is shown only beside δ: ∂L/∂W_l = a_{l−1}ᵀ δ_l multiplies the backward signal by the "
    "layer's input, so a shrinking forward signal makes it shrink too; δ_l = ∂L/∂z_l is what the "
    "theory of vanishing and exploding gradients is about"
)
