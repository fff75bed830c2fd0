"""Lab experiments on dead ReLU units: dying-relu (high learning rate, negative bias) and leaky-fix.

A unit is *dead* on a data set when its pre-activation z ≤ 0 for every example: ReLU outputs 0
and ReLU'(z) = 0, so ∂L/∂w = 0 for every weight into it and gradient descent never moves them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..function import no_grad
from ..functional import mse_loss
from ..nn import MLP
from ..tensor import Tensor
from .core import Result, best_line_mse, experiment, fmt, pct, sine_data, train
from .plots import Plotter

__all__ = ["dying_relu", "leaky_fix"]


def _dead_per_layer(net: Any, X: np.ndarray) -> list[float]:
    """Fraction of units with z ≤ 0 on every example, per hidden layer."""
    with no_grad():
        rec, _ = diagnostics.record(net, X)
    return [s.negative for s in rec.stats()[:-1]]


def _zero_gradient_units(net: Any, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of hidden units (all hidden layers) whose incoming weights and bias get exactly
    zero gradient on the full batch: the units gradient descent cannot move."""
    net.zero_grad()
    mse_loss(net(Tensor(X)), Tensor(y)).backward()
    frozen = total = 0
    for layer in net.layers[:-1]:
        g = np.vstack([layer.weight.grad, layer.bias.grad.reshape(1, -1)])
        frozen += int(np.sum(np.all(g == 0, axis=0)))
        total += g.shape[1]
    net.zero_grad()
    return frozen / total


def _with_bias(net: Any, bias: float) -> Any:
    for layer in net.layers[:-1]:
        layer.bias.data[:] = bias
    return net


# ---------------------------------------------------------------------------- dying-relu
@experiment(
    "dying-relu",
    "a high learning rate or a large negative bias leaves ReLU units dead (z ≤ 0 on every input)",
)
def dying_relu(
    out=None,
    *,
    n: int = 128,
    width: int = 32,
    epochs: int = 200,
    low_lr: float = 0.05,
    high_lr: float = 0.5,
    bias: float = -3.0,
    bias_epochs: int = 1000,
    seed: int = 0,
) -> Result:
    """The notes' two causes of dead ReLU units, measured.

    1. High learning rate: the same ``1 → width → width → 1`` ReLU network trained with plain
       SGD at ``low_lr`` and at ``high_lr``; dead units per hidden layer after ``epochs``.
    2. Large negative bias: hidden biases start at ``bias`` (He weights, inputs in [−1, 1], so
       |x·w| < 2.45 < 3): dead at the start, and their weights change by exactly 0 in training.
       The notes' remedy, a small positive bias (0.01), is the control.
    """
    X, y = sine_data(n, seed)
    var_y = float(y.var())
    numbers: dict[str, Any] = {"var_y": var_y}
    curves = {}
    rows = []
    for label, lr in (("low", low_lr), ("high", high_lr)):
        net = MLP(1, [width, width, 1], activation="relu", rng=seed)
        run = train(net, X, y, lr=lr, epochs=epochs)
        dead = _dead_per_layer(net, X)
        curves[f"lr={lr}"] = run.losses
        numbers[f"dead_{label}_lr"] = float(np.mean(dead))
        numbers[f"dead_{label}_lr_layers"] = dead
        numbers[f"mse_{label}_lr"] = run.final
        numbers[f"diverged_{label}_lr"] = run.diverged_at
        rows.append([f"lr = {lr}, {epochs} epochs", "0", " / ".join(pct(d) for d in dead), fmt(run.final)])
        if label == "high":
            high_net = net

    for label, b in (("negative", bias), ("positive", 0.01)):
        net = _with_bias(MLP(1, [width, width, 1], activation="relu", rng=seed), b)
        dead0 = _dead_per_layer(net, X)
        W1 = net.layers[0].weight.data.copy()
        dead_cols = np.all(X @ W1 + net.layers[0].bias.data <= 0, axis=0)
        run = train(net, X, y, lr=low_lr, epochs=bias_epochs, momentum=0.9)
        curves[f"bias {b}"] = run.losses
        dead1 = _dead_per_layer(net, X)
        moved = np.abs(net.layers[0].weight.data - W1)[:, dead_cols]
        numbers[f"dead_{label}_bias_init"] = float(np.mean(dead0))
        numbers[f"dead_{label}_bias_after"] = float(np.mean(dead1))
        numbers[f"mse_{label}_bias"] = run.final
        if label == "negative":
            numbers["dead_weight_change"] = float(moved.max()) if moved.size else 0.0
        rows.append(
            [
                f"lr = {low_lr}, momentum 0.9, {bias_epochs} epochs",
                f"{b:g}",
                " / ".join(pct(d) for d in dead1),
                fmt(run.final),
            ]
        )

    p = Plotter(out, "dying-relu")
    p.curves("loss", curves, "ReLU network: training loss", log=True)
    with no_grad():
        rec, _ = diagnostics.record(high_net, X)
    p.histograms(
        "z-after-high-lr",
        diagnostics.Recording(rec.layers[:-1]),
        f"pre-activations z after lr={high_lr}: all ≤ 0 = dead",
        which="z",
    )
    return Result(
        "dying-relu",
        numbers,
        ["training", "initial bias", "dead units (layer 1 / layer 2)", "final MSE"],
        rows,
        f"dead units: {' / '.join(pct(d) for d in numbers['dead_high_lr_layers'])} after lr={high_lr} (MSE {fmt(numbers['mse_high_lr'])} "
        f"= Var(y) {fmt(var_y)}: a constant prediction) vs "
        f"{' / '.join(pct(d) for d in numbers['dead_low_lr_layers'])} after lr={low_lr}; "
        f"bias {bias}: {pct(numbers['dead_negative_bias_init'])} dead at the start and "
        f"{pct(numbers['dead_negative_bias_after'])} after {bias_epochs} epochs, their weights moved by "
        f"{'exactly 0' if numbers['dead_weight_change'] == 0 else fmt(numbers['dead_weight_change'])}",
        errata=[
            "'if one time Neuron is dead then everytime neuron is dead' holds for a unit whose "
            "inputs cannot change (the first hidden layer, on fixed data); a unit of a deeper "
            "layer can come back when earlier layers change its inputs (see "
            "tests/test_errata.py::test_e16_dead_unit_in_a_deeper_layer_can_revive)"
        ],
        files=p.files,
        setup=f"MLP(1, [{width}, {width}, 1], relu, He-uniform weights), sin(πx) on {n} points in "
        f"[−1, 1], full-batch SGD; dead = z ≤ 0 on all {n} inputs",
    )


# ---------------------------------------------------------------------------- leaky-fix
@experiment("leaky-fix", "leaky ReLU (and ELU) keep a gradient flowing where ReLU units are dead")
def leaky_fix(
    out=None,
    *,
    n: int = 128,
    width: int = 32,
    epochs: int = 2000,
    lr: float = 0.05,
    bias: float = -3.0,
    high_lr: float = 0.5,
    high_epochs: int = 200,
    seed: int = 0,
) -> Result:
    """Every hidden unit starts with z < 0 on every input (bias ``bias``); then train.

    ReLU: every unit dead, zero gradient, the loss stays at Var(y). Leaky ReLU: the gradient is
    0.01× but never 0, so the weights move. ELU: gradient αeᶻ, and its curve for z < 0 is not a
    straight line. Also: leaky ReLU at the learning rate that kills ReLU units.
    """
    X, y = sine_data(n, seed)
    line = best_line_mse(X, y)
    numbers: dict[str, Any] = {"var_y": float(y.var()), "mse_best_line": line}
    curves = {}
    rows = []
    for act in ("relu", "leaky_relu", "elu"):
        net = _with_bias(MLP(1, [width, 1], activation=act, rng=seed), bias)
        frozen = _zero_gradient_units(net, X, y)
        negative0 = _dead_per_layer(net, X)[0]
        W0 = net.layers[0].weight.data.copy()
        run = train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
        negative1 = _dead_per_layer(net, X)[0]
        moved = float(np.abs(net.layers[0].weight.data - W0).max())
        curves[act] = run.losses
        numbers.update(
            {
                f"zero_grad_{act}": frozen,
                f"negative_init_{act}": negative0,
                f"negative_after_{act}": negative1,
                f"weight_change_{act}": moved,
                f"mse_{act}": run.final,
                f"diverged_{act}": run.diverged_at,
            }
        )
        rows.append([act, pct(frozen), pct(negative1), fmt(moved), fmt(run.final)])

    net = MLP(1, [width, width, 1], activation="leaky_relu", rng=seed)
    run = train(net, X, y, lr=high_lr, epochs=high_epochs)
    numbers["high_lr_leaky_diverged_at"] = run.diverged_at
    numbers["high_lr_leaky_zero_grad"] = (
        None if run.diverged_at is not None else _zero_gradient_units(net, X, y)
    )
    high = (
        f"diverged (overflow) at epoch {run.diverged_at}"
        if run.diverged_at is not None
        else f"MSE {fmt(run.final)}"
    )

    p = Plotter(out, "leaky-fix")
    p.curves("loss", curves, f"all units start negative (bias {bias})")
    return Result(
        "leaky-fix",
        numbers,
        [
            "activation",
            "units with zero gradient",
            f"units negative on every input after {epochs} epochs",
            "max |Δw| layer 1",
            "final MSE",
        ],
        rows,
        f"bias {bias}: units with zero gradient: relu {pct(numbers['zero_grad_relu'])}, leaky_relu "
        f"{pct(numbers['zero_grad_leaky_relu'])}, elu {pct(numbers['zero_grad_elu'])}; MSE relu "
        f"{fmt(numbers['mse_relu'])} (stuck), leaky_relu {fmt(numbers['mse_leaky_relu'])}, elu "
        f"{fmt(numbers['mse_elu'])}; leaky_relu at lr={high_lr}: {high}",
        errata=[
            f"'No dying ReLU problem' with leaky ReLU: true, no unit has a zero gradient, but "
            f"units pushed to z < 0 receive 1% of the gradient; here "
            f"{pct(numbers['negative_after_leaky_relu'])} were still negative on every input "
            f"after {epochs} epochs, and a network of such units is linear: its MSE "
            f"{fmt(numbers['mse_leaky_relu'])} is the best straight line's {fmt(line)}",
            *(
                [
                    f"leaky ReLU fixes dead units, not a learning rate that is too high: at "
                    f"lr={high_lr}, which kills ReLU units, the leaky network {high}"
                ]
                if run.diverged_at is not None
                else []
            ),
        ],
        files=p.files,
        setup=f"MLP(1, [{width}, 1]) with hidden bias {bias}, sin(πx) on {n} points, SGD lr={lr} "
        f"momentum=0.9, {epochs} epochs",
    )
