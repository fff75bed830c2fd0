"""The lab's machinery: the `Result` every experiment returns, the registry, data and a training loop.

An experiment is a function ``name(out=None, *, seed=0, verbose=True, **sizes) -> Result``
registered with `experiment`. It measures, then returns a `Result` holding its numbers (a flat
dict the tests read), a small table, a one-line conclusion quoting the numbers, and the places
where the lecture notes turned out wrong or imprecise. With ``verbose`` it prints all of that;
with ``out`` it writes its plots there (when matplotlib is installed).
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import diagnostics
from ..formatting import fmt, pct, sci
from ..function import no_grad
from ..functional import mse_loss
from ..optim import SGD
from ..tensor import Tensor

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "Result",
    "TrainRun",
    "best_line_mse",
    "experiment",
    "fmt",
    "gaussian_data",
    "mse",
    "pct",
    "sci",
    "sine_data",
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
        parts.append(f"conclusion: {self.conclusion}")
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


def mse(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of ``model`` on ``(X, y)``, without recording a graph."""
    with no_grad():
        return float(np.mean((model(Tensor(X)).data - y) ** 2))


def best_line_mse(X: np.ndarray, y: np.ndarray) -> float:
    """MSE of the least-squares affine fit ``y ≈ X w + b``: the best any linear model can do."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.mean((A @ coef - y) ** 2))


# ---------------------------------------------------------------------------- training
@dataclass
class TrainRun:
    """Loss per epoch; ``diverged_at`` is the epoch where a float overflowed (None if never)."""

    losses: list[float]
    diverged_at: int | None = None

    @property
    def final(self) -> float:
        return self.losses[-1] if self.losses else math.nan


def train(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    momentum: float = 0.0,
    callback: Callable[[int], Any] | None = None,
) -> TrainRun:
    """Full-batch gradient descent with SGD on the MSE loss; stops cleanly if the numbers overflow.

    The loop is the notes' recipe: forward, loss, backward, update. A learning rate that is too
    high can make the weights overflow; instead of warnings and NaNs, training stops and
    ``diverged_at`` records the epoch.
    """
    opt = SGD(model.parameters(), lr=lr, momentum=momentum)
    Xt, yt = Tensor(X), Tensor(y)
    losses: list[float] = []
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for epoch in range(epochs):
            if callback is not None:
                callback(epoch)
            try:
                loss = mse_loss(model(Xt), yt)
                opt.zero_grad()
                loss.backward()
                opt.step()
            except FloatingPointError:
                return TrainRun(losses, diverged_at=epoch)
            value = float(loss.data)
            if not math.isfinite(value):
                return TrainRun(losses, diverged_at=epoch)
            losses.append(value)
    return TrainRun(losses)


# Number formats: one home, microgradx.formatting (imported above for the experiments).
