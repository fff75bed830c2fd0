"""Lab experiments on the activation functions: one function per claim of the notes, each measured.

linear-collapse, sigmoid-vanishing, zero-centred, dying-relu, leaky-fix, selu-self-normalizing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..function import no_grad
from ..functional import mse_loss
from ..nn import MLP
from ..tensor import Tensor
from .core import Result, best_line_mse, experiment, fmt, gaussian_data, mse, pct, sci, sine_data, train
from .plots import Plotter

__all__ = [
    "linear_collapse",
    "selu_self_normalizing",
    "sigmoid_vanishing",
    "zero_centred",
]


def _hidden_stats(model: Any, X: np.ndarray) -> list[diagnostics.LayerStats]:
    """Per-layer stats of the hidden layers (all but the output layer) on ``X``."""
    with no_grad():
        rec, _ = diagnostics.record(model, X)
    return rec.stats()[:-1]


def _weight_grad_norms(model: Any, X: np.ndarray, y: np.ndarray) -> list[float]:
    """‖∂L/∂W‖ of every layer, input layer first, after one backward pass of the MSE loss."""
    model.zero_grad()
    mse_loss(model(Tensor(X)), Tensor(y)).backward()
    norms = [float("nan") if n is None else n for _, n in diagnostics.gradient_norms(model)]
    model.zero_grad()
    return norms


# ---------------------------------------------------------------------------- linear-collapse
@experiment(
    "linear-collapse", "no activation: a deep network is one linear map, A2 = w'A0 + b', and fits only a line"
)
def linear_collapse(
    out=None,
    *,
    depth: int = 4,
    width: int = 16,
    n: int = 128,
    epochs: int = 500,
    lr: float = 0.05,
    seed: int = 0,
) -> Result:
    """The notes' first derivation, measured: with g(z) = z, layers multiply out to one affine map.

    Builds ``MLP(1, [width]*(depth-1) + [1], activation=None)``, multiplies its weights into
    ``W' = W1 W2 … WL`` and ``b'``, and compares outputs. Then trains it on sin(πx) and compares
    its error with the best straight line and with the same network using tanh.
    """
    X, y = sine_data(n, seed)
    sizes = [width] * (depth - 1) + [1]
    net = MLP(1, sizes, activation=None, rng=seed)

    def collapse() -> tuple[np.ndarray, np.ndarray]:
        W = np.eye(1)
        b = np.zeros(1)
        for layer in net.layers:  # (x W + b) W2 + b2 = x (W W2) + (b W2 + b2)
            W = W @ layer.weight.data
            b = b @ layer.weight.data + (0.0 if layer.bias is None else layer.bias.data)
        return W, b

    W, b = collapse()
    with no_grad():
        diff_init = float(np.max(np.abs(net(Tensor(X)).data - (X @ W + b))))
    run = train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
    W, b = collapse()
    with no_grad():
        pred_linear = net(Tensor(X)).data
    diff_trained = float(np.max(np.abs(pred_linear - (X @ W + b))))
    tanh_net = MLP(1, sizes, activation="tanh", rng=seed)
    tanh_run = train(tanh_net, X, y, lr=lr, epochs=epochs, momentum=0.9)
    line = best_line_mse(X, y)
    numbers = {
        "max_abs_diff_init": diff_init,
        "max_abs_diff_trained": diff_trained,
        "w_prime": float(W[0, 0]),
        "b_prime": float(b[0]),
        "mse_linear_net": mse(net, X, y),
        "mse_best_line": line,
        "mse_tanh_net": mse(tanh_net, X, y),
        "var_y": float(y.var()),
        "linear_diverged_at": run.diverged_at,
    }
    p = Plotter(out, "linear-collapse")
    with no_grad():
        pred_tanh = tanh_net(Tensor(X)).data
    p.fits(
        "fit",
        X,
        y,
        {f"{depth} linear layers": pred_linear, f"{depth} layers with tanh": pred_tanh},
        "a network without activations fits a line",
    )
    p.curves("loss", {"no activation": run.losses, "tanh": tanh_run.losses}, "training loss")
    return Result(
        "linear-collapse",
        numbers,
        ["model", "parameters", "MSE on sin(πx)"],
        [
            [
                f"{depth} layers, no activation",
                sum(p.size for p in net.parameters()),
                fmt(numbers["mse_linear_net"]),
            ],
            ["best straight line (least squares)", 2, fmt(line)],
            [
                f"{depth} layers, tanh",
                sum(p.size for p in tanh_net.parameters()),
                fmt(numbers["mse_tanh_net"]),
            ],
        ],
        f"{depth} layers without activation are one map ŷ = {fmt(W[0, 0])}·x + {fmt(b[0])} (outputs "
        f"differ by at most {sci(diff_trained)}); trained, MSE {fmt(numbers['mse_linear_net'])} = the best "
        f"line's {fmt(line)}, while tanh reaches {fmt(numbers['mse_tanh_net'])}",
        files=p.files,
        setup=f"MLP(1, {sizes}), sin(πx) on {n} points in [−1, 1], SGD lr={lr} momentum=0.9, {epochs} epochs",
    )


# ---------------------------------------------------------------------------- sigmoid-vanishing
@experiment(
    "sigmoid-vanishing", "deep sigmoid network: ‖∂L/∂W‖ shrinks layer by layer toward the input (σ' ≤ 0.25)"
)
def sigmoid_vanishing(out=None, *, depth: int = 8, width: int = 32, n: int = 256, seed: int = 0) -> Result:
    """Gradient norm per layer of a deep sigmoid network vs tanh (Xavier) and ReLU (He).

    σ'(z) = σ(z)(1 − σ(z)) ≤ 0.25, so every sigmoid layer multiplies the backward signal by at
    most a quarter (times the weights): the first layers hardly learn. The activations do not
    go to 0, as the notes say; they stay around 0.5. It is the gradient that vanishes.
    """
    X, y = gaussian_data(n, width, seed)
    numbers: dict[str, Any] = {}
    norms_by_act: dict[str, list[float]] = {}
    rows = []
    recordings = {}
    for act in ("sigmoid", "tanh", "relu"):
        net = MLP(width, [width] * depth + [1], activation=act, rng=seed)  # default init per activation
        norms = _weight_grad_norms(net, X, y)[:-1]  # hidden layers only
        with no_grad():
            rec, _ = diagnostics.record(net, X)
        recordings[act] = rec
        stats = rec.stats()[:-1]
        norms_by_act[act] = norms
        ratio = norms[0] / norms[-1]
        numbers[f"grad_first_{act}"] = norms[0]
        numbers[f"grad_last_{act}"] = norms[-1]
        numbers[f"ratio_{act}"] = ratio
        numbers[f"last_mean_{act}"] = stats[-1].mean
        rows.append(
            [
                act,
                "xavier_uniform" if act != "relu" else "he_uniform",
                sci(norms[-1]),
                sci(norms[0]),
                sci(ratio),
                fmt(stats[-1].mean),
            ]
        )
    z_all = np.concatenate([r.z.ravel() for r in recordings["sigmoid"].layers[:-1]])
    s = 1.0 / (1.0 + np.exp(-np.clip(z_all, -500, 500)))
    numbers["max_sigmoid_derivative"] = float(np.max(s * (1 - s)))
    p = Plotter(out, "sigmoid-vanishing")
    p.per_layer(
        "grad-norms", norms_by_act, f"‖∂L/∂W‖ per layer ({depth} hidden layers of {width})", "‖∂L/∂W‖"
    )
    p.histograms(
        "activations",
        diagnostics.Recording(recordings["sigmoid"].layers[:-1]),
        "sigmoid activations per layer",
    )
    r = numbers["ratio_sigmoid"]
    return Result(
        "sigmoid-vanishing",
        numbers,
        [
            "activation",
            "init",
            f"‖∂L/∂W‖ layer {depth}",
            "‖∂L/∂W‖ layer 1",
            "layer 1 / layer " + str(depth),
            f"mean output, layer {depth}",
        ],
        rows,
        f"with sigmoid ‖∂L/∂W‖ falls from {sci(numbers['grad_last_sigmoid'])} (layer {depth}) to "
        f"{sci(numbers['grad_first_sigmoid'])} (layer 1), a factor {sci(r)}; tanh {sci(numbers['ratio_tanh'])}, "
        f"relu {sci(numbers['ratio_relu'])}; σ' never exceeded {fmt(numbers['max_sigmoid_derivative'])}",
        errata=[
            f"'when we go to other layers sigmoid output will be 0' — measured: the sigmoid "
            f"outputs of layer {depth} have mean {fmt(numbers['last_mean_sigmoid'])}; what goes to "
            f"0 is the gradient (factor {sci(r)} from layer {depth} to layer 1), not the output"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]), default init, {n} standard-normal inputs, one backward pass of the MSE",
    )


# ---------------------------------------------------------------------------- zero-centred
def _grad_of(t: Tensor) -> np.ndarray:
    """``t.grad`` after a backward pass that reached ``t`` (an error if it did not)."""
    if t.grad is None:
        raise RuntimeError("lab: expected a gradient after backward()")
    return t.grad


def _same_sign_fraction(grad: np.ndarray) -> float:
    """Fraction of units (columns) whose incoming weight gradients all have one strict sign."""
    return float(np.mean(np.all(grad > 0, axis=0) | np.all(grad < 0, axis=0)))


@experiment(
    "zero-centred", "sigmoid outputs are all > 0, so a unit's weight gradients share one sign; tanh's do not"
)
def zero_centred(
    out=None,
    *,
    n: int = 64,
    features: int = 4,
    hidden: tuple = (16, 8),
    epochs: int = 600,
    lr: float = 0.2,
    checkpoints: int = 6,
    seed: int = 0,
) -> Result:
    """The notes' sign argument: ∂L/∂w_i2 = δ · a_i, and a_i = σ(·) > 0, so for one example all
    weights into a unit move in the same direction. Measured on the second layer of a
    ``features → 16 → 8 → 1`` network, per example and for the full-batch gradient, at
    ``checkpoints`` points during training; also the training loss of sigmoid vs tanh.
    """
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n, features))
    y = np.sin(X.sum(axis=1, keepdims=True))
    numbers: dict[str, Any] = {}
    curves = {}
    rows = []
    every = max(epochs // checkpoints, 1)
    for act in ("sigmoid", "tanh"):
        net = MLP(features, [*list(hidden), 1], activation=act, rng=seed)
        per_example: list[float] = []
        batch: list[float] = []

        def measure(
            epoch: int, net: MLP = net, per_example: list[float] = per_example, batch: list[float] = batch
        ) -> None:
            if epoch % every:
                return
            W = net.layers[1].weight
            for i in range(n):
                net.zero_grad()
                mse_loss(net(Tensor(X[i : i + 1])), Tensor(y[i : i + 1])).backward()
                per_example.append(_same_sign_fraction(_grad_of(W)))
            net.zero_grad()
            mse_loss(net(Tensor(X)), Tensor(y)).backward()
            batch.append(_same_sign_fraction(_grad_of(W)))
            net.zero_grad()

        with no_grad():
            mean_act = float(net.layers[0](Tensor(X)).data.mean())
        run = train(net, X, y, lr=lr, epochs=epochs, callback=measure)
        curves[act] = run.losses
        numbers[f"same_sign_per_example_{act}"] = float(np.mean(per_example))
        numbers[f"same_sign_batch_{act}"] = float(np.mean(batch))
        numbers[f"mean_activation_{act}"] = mean_act
        numbers[f"mse_{act}"] = run.final
        rows.append(
            [
                act,
                fmt(mean_act),
                pct(numbers[f"same_sign_per_example_{act}"]),
                pct(numbers[f"same_sign_batch_{act}"]),
                fmt(run.final),
            ]
        )
    p = Plotter(out, "zero-centred")
    p.curves("loss", curves, "sigmoid vs tanh, same network and learning rate")
    return Result(
        "zero-centred",
        numbers,
        [
            "activation",
            "mean output, layer 1",
            "one-sign units (per example)",
            "one-sign units (batch gradient)",
            f"MSE after {epochs} epochs",
        ],
        rows,
        f"per example, {pct(numbers['same_sign_per_example_sigmoid'])} of sigmoid units get weight gradients "
        f"of one sign ({pct(numbers['same_sign_per_example_tanh'])} with tanh); after {epochs} epochs MSE "
        f"sigmoid {fmt(numbers['mse_sigmoid'])} vs tanh {fmt(numbers['mse_tanh'])}",
        errata=[
            f"'if ① is (-ve) then ② also (-ve)' holds for the gradient of one example; the "
            f"full-batch gradient sums examples whose δ differ in sign, and measured only "
            f"{pct(numbers['same_sign_batch_sigmoid'])} of sigmoid units had one-sign batch gradients"
        ],
        files=p.files,
        setup=f"MLP({features}, {[*list(hidden), 1]}), {n} standard-normal inputs, y = sin(Σx), "
        f"SGD lr={lr}, {epochs} epochs, signs of ∂L/∂W of layer 2 at {checkpoints} checkpoints",
    )


# ---------------------------------------------------------------------------- selu-self-normalizing
@experiment(
    "selu-self-normalizing", "SELU with LeCun-normal weights pulls every layer's mean to 0 and std to 1"
)
def selu_self_normalizing(
    out=None,
    *,
    depth: int = 20,
    width: int = 64,
    n: int = 256,
    scales: tuple = (0.3, 1.0, 3.0),
    seed: int = 0,
) -> Result:
    """Forward statistics of a deep network fed inputs of std 0.3, 1 and 3.

    Self-normalizing (Klambauer et al. 2017): with λ ≈ 1.0507, α ≈ 1.6733 and weights of
    variance 1/fan_in (``lecun_normal``), (mean, variance) = (0, 1) is an attracting fixed
    point: whatever the input scale, deep layers end up near mean 0, std 1. The same SELU with
    He weights drifts away; ReLU with He weights only preserves whatever scale it was given.
    """
    X, _ = gaussian_data(n, width, seed)
    configs = (("selu", "lecun_normal"), ("selu", "he_normal"), ("relu", "he_normal"))
    numbers: dict[str, Any] = {}
    rows = []
    stds_plot = {}
    for act, init in configs:
        net = MLP(width, [width] * depth, activation=act, init=init, rng=seed)
        for scale in scales:
            with no_grad():
                rec, _ = diagnostics.record(net, X * scale)
            stats = rec.stats()[:-1]  # the last layer is linear: hidden layers only
            key = f"{act}_{init}_{scale:g}"
            numbers[f"mean_last_{key}"] = stats[-1].mean
            numbers[f"std_last_{key}"] = stats[-1].std
            numbers[f"std_first_{key}"] = stats[0].std
            rows.append(
                [act, init, f"{scale:g}", fmt(stats[0].std), f"{fmt(stats[-1].mean)} / {fmt(stats[-1].std)}"]
            )
            stds_plot[f"{act}+{init}, input std {scale:g}"] = [s.std for s in stats]
    lecun_stds = [numbers[f"std_last_selu_lecun_normal_{s:g}"] for s in scales]
    lecun_means = [numbers[f"mean_last_selu_lecun_normal_{s:g}"] for s in scales]
    he_stds = [numbers[f"std_last_selu_he_normal_{s:g}"] for s in scales]
    numbers["selu_lecun_max_std_error"] = float(max(abs(s - 1) for s in lecun_stds))
    numbers["selu_lecun_max_abs_mean"] = float(max(abs(m) for m in lecun_means))
    p = Plotter(out, "selu-self-normalizing")
    p.per_layer("std", stds_plot, "activation std per layer", "std of the layer's outputs")
    return Result(
        "selu-self-normalizing",
        numbers,
        ["activation", "init", "input std", "std, layer 1", f"mean / std, layer {depth - 1}"],
        rows,
        f"after {depth - 1} SELU layers with lecun_normal the std is "
        f"{', '.join(fmt(s) for s in lecun_stds)} for inputs of std {', '.join(f'{s:g}' for s in scales)} "
        f"(|mean| ≤ {fmt(numbers['selu_lecun_max_abs_mean'])}); with he_normal it drifts to "
        f"{', '.join(fmt(s) for s in he_stds)}",
        errata=[
            "the notes call λ and α 'experimental fix parameter': they are derived so that "
            "(mean 0, variance 1) is a fixed point of a SELU layer with weights of variance "
            "1/fan_in; measured, self-normalization needs that init (lecun_normal): with "
            f"he_normal the std drifts to {', '.join(fmt(s) for s in he_stds)}"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth}) (last layer linear), {n} standard-normal inputs "
        f"scaled by {', '.join(f'{s:g}' for s in scales)}, forward pass only",
    )
