"""The training loop, `fit`: the notes' recipe (forward, loss, backward, update) repeated for some epochs.

1. Initialize the parameters            (done when the model is built)
2. Choose an optimization algorithm     (``optimizer=`` or plain SGD with ``lr=``)
3. Repeat: forward, loss, gradients by backpropagation, update every parameter.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functional as F
from . import validation
from .nn.loss import CrossEntropyLoss
from .nn.module import Module
from .optim import SGD, Optimizer
from .random import get_rng
from .tensor import Tensor, _to_array

__all__ = ["DIVERGENCE_FACTOR", "LOSSES", "diverged", "fit"]

#: Loss names `fit` accepts.
LOSSES: dict[str, Callable[[Tensor, Any], Tensor]] = {
    "mse": F.mse_loss,
    "bce": F.binary_cross_entropy,
    "bce_with_logits": F.binary_cross_entropy_with_logits,
    "cross_entropy": F.cross_entropy,
}

_DEFAULT_LR = 0.01


def _raw(a: Any) -> np.ndarray:
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _as_2d_array(a: Any, what: str) -> np.ndarray:
    arr = _raw(a)
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"fit: {what} must be numeric, got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"fit: {what} must be 2-D (n_samples, n_features) or 1-D, got shape {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"fit: {what} holds {float(arr[row, col])!r} at row {row}, column {col} "
            f"({int((~finite).sum())} non-finite value(s) in all); remove or impute those rows first"
        )
    return arr


#: A run has diverged when its loss is not finite, or more than this many times its first
#: epoch's loss (`diverged`): ``fit`` stops there with a ``RuntimeWarning``.
DIVERGENCE_FACTOR = 1e4


def diverged(history: list[float]) -> int | None:
    """The first epoch at which ``history`` (a `fit` loss history) diverged, or None.

    Diverged means: the loss is nan or infinite, or above `DIVERGENCE_FACTOR` times the loss of
    the first epoch.
    """
    if not history:
        return None
    limit = DIVERGENCE_FACTOR * history[0] if math.isfinite(history[0]) else math.inf
    for epoch, value in enumerate(history):
        if not math.isfinite(value) or value > limit:
            return epoch
    return None


def _progress_bar() -> Any:
    """tqdm's notebook widget where ipywidgets is installed, its text bar elsewhere.

    (``tqdm.auto`` alone warns "IProgress not found" in a notebook without ipywidgets.) Imported
    here, not at the top, so that ``import microgradx`` does not load tqdm.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


def stderr_is_terminal() -> bool:
    """True when stderr is an interactive terminal: the default for showing a progress bar."""
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


def _takes_class_indices(loss: Any) -> bool:
    """True for the cross-entropy loss (by name, function or module): its 1-D target is class indices."""
    return (
        (isinstance(loss, str) and loss == "cross_entropy")
        or loss is F.cross_entropy
        or isinstance(loss, CrossEntropyLoss)
    )


def _class_indices(y: Any) -> np.ndarray:
    """A 1-D target of a cross-entropy loss, kept as it is: one class index per sample."""
    arr = _raw(y)
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"fit: y must hold class indices (integers), got dtype {arr.dtype}")
    return arr


def _is_static(model: Any) -> bool:
    """True for a model whose forward pass is the same ops every call, so `fit` may compile it:
    an ``MLP``, ``Layer`` or ``Sequential`` made only of ``microgradx.nn`` modules, every
    activation a name or an ``nn`` module (not a function of your own)."""
    from .nn.layers import MLP, Layer, Sequential

    if not isinstance(model, (MLP, Layer, Sequential)):
        return False
    for _, m in model.named_modules():
        if not type(m).__module__.startswith("microgradx.nn."):
            return False
        act = getattr(m, "activation", None)
        if act is not None and not isinstance(act, Module):
            return False
    return True


def _is_builtin_loss(loss: Any) -> bool:
    if isinstance(loss, str):
        return True
    return isinstance(loss, Module) and type(loss).__module__.startswith("microgradx.nn.")


def _resolve_loss(loss: Any) -> Callable[[Tensor, Any], Tensor]:
    if isinstance(loss, str):
        return validation.choice(
            loss, LOSSES, "loss", "fit", also="a callable (pred, target) -> Tensor, a Module or "
        )
    if callable(loss):  # functions and Modules (MSELoss(), BCELoss(), …)
        return loss
    raise ValueError(f"fit: loss must be a name, a callable or a Module, got {loss!r}")


def fit(
    model: Any,
    X: Any,
    y: Any,
    loss: Any = "mse",
    optimizer: Optimizer | None = None,
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    rng: Any = None,
    progress: bool | None = None,
    callback: Callable[[int, float], Any] | None = None,
    compile: bool = True,
) -> list[float]:
    """Train ``model`` on ``(X, y)`` and return the loss history, one float per epoch.

    Each epoch walks the data in mini-batches (the whole set when ``batch_size`` is None); for
    each batch: ``pred = model(Xb)``, ``L = loss(pred, yb)``, ``optimizer.zero_grad()``,
    ``L.backward()``, ``optimizer.step()``. The epoch's loss is the mean of the batch losses,
    weighted by batch size (the loss *before* each batch's update).

    Args:
        model: a `Module` (or any callable, when an ``optimizer`` is given).
        X: inputs, ``(n, in_features)``; a 1-D array is taken as ``(n, 1)``.
        y: targets, ``(n, out_features)``; a 1-D array is taken as ``(n, 1)``, except with a
            cross-entropy loss, where a 1-D ``y`` holds one class index per sample (as
            `microgradx.data.moons` returns) and is passed on unchanged.
        loss: ``"mse"`` (default), ``"bce"``, ``"bce_with_logits"``, ``"cross_entropy"`` (the
            model outputs one logit per class), a callable ``(pred, target) -> scalar Tensor``
            or a loss Module such as ``microgradx.nn.MSELoss()`` or ``nn.CrossEntropyLoss()``.
        optimizer: an optimizer over the model's parameters; None builds
            ``SGD(model.parameters(), lr)``.
        lr: the learning rate of that default SGD (default 0.01); give it only without
            ``optimizer``.
        epochs: number of passes over the data (positive int, default 100).
        batch_size: samples per update; None (default) for full-batch gradient descent.
        shuffle: reshuffle the samples every epoch (only with ``batch_size``).
        rng: None, an int seed or a ``numpy.random.Generator`` for the shuffling.
        progress: show a ``tqdm`` progress bar with the current loss; None (default) shows it
            only when stderr is a terminal, so logs and CI output get no ``\\r`` updates.
        callback: called as ``callback(epoch, loss)`` after every epoch (epoch counts from 0);
            if it returns ``True``, training stops (early stopping).
        compile: run each step through `microgradx.compile` (default True) when the model is
            static — an ``MLP``, ``Layer`` or ``Sequential`` made only of ``microgradx.nn``
            modules — and the loss a built-in one (not cross-entropy on class indices, which
            reads its targets in Python); the numbers are the same bit for bit, the step faster. ``compile=False`` runs every step eagerly. Other models always do.

    Returns:
        The loss history: a list of ``float``, one per epoch run. If the loss becomes ``nan``
        or infinite (training diverged: the learning rate is too large for this model and
        data), training stops there with a `RuntimeWarning`; the last entry is that value.

    Raises:
        ValueError: for mismatched ``X``/``y`` sample counts (naming both shapes), a bad
            ``epochs``/``batch_size``/``lr``/``loss``, or ``lr`` given together with an
            ``optimizer``.

    Examples:
        >>> import microgradx as mgx
        >>> X, y = mgx.data.sine(n=64, noise=0.0, rng=0)
        >>> net = mgx.nn.MLP(1, [16, 1], activation="tanh", rng=0)
        >>> history = fit(net, X, y, lr=0.1, epochs=200, progress=False)
        >>> len(history), history[-1] < history[0]
        (200, True)
    """
    Xa = _as_2d_array(X, "X")
    ya = _class_indices(y) if _takes_class_indices(loss) and np.ndim(_raw(y)) == 1 else _as_2d_array(y, "y")
    if Xa.shape[0] != ya.shape[0]:
        raise ValueError(
            f"fit: X and y hold different numbers of samples: X has shape "
            f"{np.shape(X.data if isinstance(X, Tensor) else X)}, y has shape "
            f"{np.shape(y.data if isinstance(y, Tensor) else y)}"
        )
    n = Xa.shape[0]
    if n == 0:
        raise ValueError("fit: X and y hold no samples")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1
    ):
        raise ValueError(f"fit: batch_size must be None or a positive int, got {batch_size!r}")
    if callback is not None and not callable(callback):
        raise ValueError(f"fit: callback must be callable, got {callback!r}")
    loss_fn = _resolve_loss(loss)
    if optimizer is None:
        if not isinstance(model, Module):
            raise ValueError(
                f"fit: model must be a microgradx.nn.Module when no optimizer is "
                f"given, got {type(model).__name__}"
            )
        optimizer = SGD(model.parameters(), lr=_DEFAULT_LR if lr is None else lr)
    elif lr is not None:
        raise ValueError(
            f"fit: lr={lr!r} was given together with an optimizer; set the "
            f"learning rate on the optimizer instead"
        )
    elif not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise ValueError(f"fit: optimizer must have step() and zero_grad(), got {optimizer!r}")
    if not callable(model):
        raise ValueError(f"fit: model must be callable, got {model!r}")

    full_batch = batch_size is None or batch_size >= n
    step = n if full_batch else int(batch_size)
    gen = get_rng(rng) if (shuffle and not full_batch) else None
    if full_batch:  # build the input tensors once
        Xt, yt = Tensor(Xa), Tensor(ya)
    compiled = None
    class_indices = _takes_class_indices(loss) and ya.ndim == 1  # read in Python by the loss
    if compile and _is_static(model) and _is_builtin_loss(loss) and not class_indices:
        # Inputs are leaves whose .data each batch replaces; one plan per batch shape.
        from .compile import compile as compile_step

        if not full_batch:
            Xt, yt = Tensor(Xa[:step]), Tensor(ya[:step])
        compiled = compile_step(lambda: loss_fn(model(Xt), yt))

    if progress is None:
        progress = stderr_is_terminal()
    history: list[float] = []
    bar = _progress_bar()(range(epochs), desc="fit", unit="epoch", disable=not progress, leave=True)
    try:
        for epoch in bar:
            if full_batch:
                if compiled is not None:
                    optimizer.zero_grad()
                    L = compiled()  # forward and backward
                else:
                    L = loss_fn(model(Xt), yt)
                    optimizer.zero_grad()
                    L.backward()
                optimizer.step()
                epoch_loss = float(L.data)
            else:
                order = gen.permutation(n) if gen is not None else np.arange(n)
                total = 0.0
                for start in range(0, n, step):
                    idx = order[start : start + step]
                    if compiled is not None:
                        Xt.data, yt.data = _to_array(Xa[idx]), _to_array(ya[idx])  # as Tensor() makes them
                        optimizer.zero_grad()
                        L = compiled()
                    else:
                        L = loss_fn(model(Tensor(Xa[idx])), Tensor(ya[idx]))
                        optimizer.zero_grad()
                        L.backward()
                    optimizer.step()
                    total += float(L.data) * len(idx)
                epoch_loss = total / n
            history.append(epoch_loss)
            if progress:
                bar.set_postfix(loss=f"{epoch_loss:.4g}", refresh=False)
            if not math.isfinite(epoch_loss) or epoch_loss > DIVERGENCE_FACTOR * history[0]:
                warnings.warn(
                    f"fit: training diverged at epoch {epoch}: the loss is {epoch_loss:.4g} "
                    f"(first epoch {history[0]:.4g}); try a smaller learning rate",
                    RuntimeWarning,
                    stacklevel=2,
                )
                break
            if callback is not None and callback(epoch, epoch_loss) is True:
                break
    finally:
        bar.close()
    return history
