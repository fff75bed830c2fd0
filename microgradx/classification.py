"""Classification on the toy sets: predicted classes, accuracy, the decision-boundary plot, and the
run behind ``microgradx train --task classify``.

A classifier here is an MLP whose last layer is linear: its outputs are the logits, one per
class, trained with `microgradx.cross_entropy` (the loss applies the log-softmax itself). The
predicted class is the largest logit (the largest softmax probability: softmax keeps the order).

    >>> from microgradx.classification import train_classifier
    >>> run = train_classifier("moons", epochs=300, progress=False)
    >>> run.train_accuracy > 0.9 and run.test_accuracy > 0.9
    True
"""

from __future__ import annotations

import inspect
import pathlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ClassifierRun",
    "accuracy",
    "dataset_noise",
    "plot_decision_boundary",
    "predict",
    "train_classifier",
]


def predict(model: Any, X: Any, threshold: float = 0.0) -> np.ndarray:
    """The class ``model`` predicts for each row of ``X``, as int64 indices, without recording a graph.

    With one output per class (shape ``(n, C)``, C ≥ 2): the index of the largest output. With a
    single output column (a binary classifier): 1 where the output is above ``threshold``, else 0
    (0 for a logit, 0.5 for a sigmoid output: the same decision, σ(z) > 0.5 exactly when z > 0).
    """
    import microgradx as mgx

    with mgx.no_grad():
        out = model(mgx.Tensor(np.asarray(X, dtype=np.float64))).data
    if out.ndim != 2:
        raise ValueError(f"predict: expected model outputs of shape (n, classes), got {out.shape}")
    if out.shape[1] == 1:
        return (out[:, 0] > threshold).astype(np.int64)
    return np.argmax(out, axis=1).astype(np.int64)


def accuracy(model: Any, X: Any, y: Any, threshold: float = 0.0) -> float:
    """The fraction of rows of ``X`` whose predicted class (`predict`) equals ``y`` (class indices)."""
    labels = np.asarray(y).reshape(-1)
    pred = predict(model, X, threshold)
    if pred.shape != labels.shape:
        raise ValueError(f"accuracy: {len(pred)} predictions but {labels.size} labels")
    return float(np.mean(pred == labels))


def dataset_noise(name: str) -> float:
    """The default ``noise`` of the data set ``name`` (read off its signature: one home)."""
    from . import data

    return float(inspect.signature(data.DATASETS[name]).parameters["noise"].default)


@dataclass
class ClassifierRun:
    """What `train_classifier` made.

    Attributes:
        model: the trained MLP (logits out, one per class).
        history: the cross-entropy per epoch.
        X, y: the training data (``y`` int64 class indices).
        X_test, y_test: held-out data: fresh samples of the same data set, never trained on.
        data: the data set's name; noise: its noise std; classes: the number of classes.
        diverged_at: the epoch at which training diverged (`microgradx.train.diverged`), or None.
    """

    model: Any
    history: list[float]
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    data: str
    noise: float
    classes: int
    diverged_at: int | None = None

    @property
    def train_accuracy(self) -> float:
        """Accuracy on the training data."""
        return accuracy(self.model, self.X, self.y)

    @property
    def test_accuracy(self) -> float:
        """Accuracy on the held-out data."""
        return accuracy(self.model, self.X_test, self.y_test)


def train_classifier(
    data: str = "moons",
    *,
    n: int = 200,
    noise: float | None = None,
    test_n: int = 1000,
    sizes: Sequence[int] = (32, 32),
    activation: str = "tanh",
    init: str | None = None,
    lr: float = 0.05,
    momentum: float = 0.9,
    epochs: int = 1000,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> ClassifierRun:
    """Train ``MLP(2, [*sizes, classes])`` with cross-entropy on a toy classification set.

    One generator seeded with ``seed`` draws, in order: the ``n`` training samples, the weights,
    the mini-batch order, then ``test_n`` held-out samples. The optimizer is SGD with
    ``lr`` and ``momentum``; `microgradx.fit` runs the loop with ``loss="cross_entropy"``.
    A divergence is not raised: it is recorded in ``diverged_at``.

    Args:
        data: ``"moons"`` (default), ``"circles"`` or ``"spirals"``.
        n: training samples; noise: their noise std (None: the data set's default);
        test_n: held-out samples. The other arguments are those of `microgradx.nn.MLP`,
            `microgradx.optim.SGD` and `microgradx.fit`.

    Raises:
        ValueError: for an unknown data set, or a bad argument of the pieces above.
    """
    import microgradx as mgx
    from microgradx import data as datasets
    from microgradx import nn, optim
    from microgradx.train import diverged

    if data not in datasets.CLASSIFICATION_DATASETS:
        raise ValueError(
            f"train_classifier: {data!r} is not a classification data set; expected one of "
            f"{', '.join(datasets.CLASSIFICATION_DATASETS)}"
        )
    noise = dataset_noise(data) if noise is None else noise
    gen = np.random.default_rng(seed)
    X, y = datasets.get(data, n=n, noise=noise, rng=gen)
    # the set's own number of classes (spirals: its ``classes`` default; moons, circles: 2), even
    # when n is too small to hold every class
    params = inspect.signature(datasets.DATASETS[data]).parameters
    classes = int(params["classes"].default) if "classes" in params else 2
    model = nn.MLP(2, [*sizes, classes], activation=activation, init=init, rng=gen)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a divergence is recorded below
        history = mgx.fit(
            model,
            X,
            y,
            loss="cross_entropy",
            optimizer=opt,
            epochs=epochs,
            batch_size=batch_size,
            rng=gen,
            progress=progress,
        )
    X_test, y_test = datasets.get(data, n=test_n, noise=noise, rng=gen)
    return ClassifierRun(model, history, X, y, X_test, y_test, data, float(noise), classes, diverged(history))


def plot_decision_boundary(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    path: Any,
    *,
    title: str = "",
    threshold: float = 0.0,
    resolution: int = 300,
    dpi: int = 100,
    notice: bool = True,
) -> pathlib.Path | None:
    """Save a picture of the plane coloured by the class ``model`` predicts, with the points of ``(X, y)``.

    Each point of a ``resolution`` × ``resolution`` grid over the data (plus a margin) gets its
    predicted class (`predict`, with ``threshold`` for a one-output model); the regions are shaded,
    the boundaries between them drawn as lines, and the samples drawn on top in their true class's
    colour. Axes ``x₁`` and ``x₂`` (the two input features).

    Returns:
        The path written, or None without matplotlib (after a one-line notice, if ``notice``).
    """
    from .diagnostics import get_figure

    Figure = get_figure(notice)
    if Figure is None:
        return None
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).reshape(-1).astype(np.int64)
    margin = 0.25 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid_pred = predict(model, np.column_stack([g1.ravel(), g2.ravel()]), threshold).reshape(g1.shape)
    classes = max(int(labels.max()), int(grid_pred.max())) + 1
    colors = [f"C{k}" for k in range(classes)]

    fig = Figure(figsize=(5.0, 4.2), layout="constrained")
    ax = fig.subplots()
    levels = np.arange(classes + 1) - 0.5
    ax.contourf(g1, g2, grid_pred, levels=levels, colors=colors, alpha=0.22)
    ax.contour(g1, g2, grid_pred, levels=levels[1:-1], colors="black", linewidths=1.0)
    for k in range(classes):
        mask = labels == k
        ax.scatter(
            X[mask, 0], X[mask, 1], s=12, c=colors[k], edgecolors="white", linewidths=0.4, label=f"class {k}"
        )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("x₁ (first input)")
    ax.set_ylabel("x₂ (second input)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(loc="best", fontsize=8, framealpha=0.8)
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    return out
