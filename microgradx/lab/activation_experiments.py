"""Lab experiments on the activation functions: one function per claim of the notes, each measured.

linear-collapse, sigmoid-vanishing, zero-centred, dying-relu, leaky-fix, selu-self-normalizing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..formatting import fmt, pct, sci
from ..function import no_grad
from ..functional import mse_loss, sigmoid
from ..nn import MLP
from ..tensor import Tensor
from . import core
from .core import WEIGHT_GRAD_NOTE, Result, experiment
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
    X, y = core.sine_data(n, seed)
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
    run = core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
    W, b = collapse()
    with no_grad():
        pred_linear = net(Tensor(X)).data
    diff_trained = float(np.max(np.abs(pred_linear - (X @ W + b))))
    tanh_net = MLP(1, sizes, activation="tanh", rng=seed)
    tanh_run = core.train(tanh_net, X, y, lr=lr, epochs=epochs, momentum=0.9)
    line = core.best_line_mse(X, y)
    numbers = {
        "max_abs_diff_init": diff_init,
        "max_abs_diff_trained": diff_trained,
        "w_prime": float(W[0, 0]),
        "b_prime": float(b[0]),
        "mse_linear_net": core.final_mse(net, X, y),
        "mse_best_line": line,
        "mse_tanh_net": core.final_mse(tanh_net, X, y),
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
        note="one seed suffices: the collapse is an identity, not a measurement: on every seed the "
        "layers multiply out to one affine map (outputs agree to rounding) and the trained network "
        "reaches the best line's MSE on that seed's data, so no seed range is reported; the tanh "
        "network only shows that a non-linearity is what goes below the line",
    )


# ---------------------------------------------------------------------------- sigmoid-vanishing
def spread_of(median: float, rng: list[float], style: Any = sci) -> str:
    """The text "median [min–max]" from a median and its ``[min, max]``."""
    return core.text({"median": median, "min": rng[0], "max": rng[1]}, style)


def _trend(ratio: float) -> str:
    """How δ changes from the last hidden layer to the first, in words, from its ratio."""
    if ratio < 0.5:
        return "vanishes toward the input"
    if ratio > 2:
        return "grows toward the input"
    return "keeps its size"


@experiment(
    "sigmoid-vanishing",
    "deep sigmoid network: the backward signal δ = ∂L/∂z shrinks layer by layer toward the input",
)
def sigmoid_vanishing(
    out=None, *, depth: int = 8, width: int = 32, n: int = 256, seed: int = 0, seeds: int = 5
) -> Result:
    """The backward signal δ_l = ∂L/∂z_l per hidden layer of a deep sigmoid network vs tanh
    (Xavier) and ReLU (He), over ``seeds`` seeds; the forward signal's per-unit std and ‖∂L/∂W‖
    beside it.

    Chain rule: δ_l = σ′(z_l) ⊙ (δ_{l+1} W_{l+1}ᵀ). σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4, and Xavier
    weights keep ‖δ W‖ ≈ ‖δ‖ (Var(w)·fan_out ≈ 1), so every sigmoid layer scales δ by about
    σ′ (≤ 1/4): δ shrinks geometrically toward the input. tanh′(0) = 1 and ReLU with He weights
    keep it. The activations do not go to 0, as the notes say; they stay around 0.5.
    """
    runs = core.seed_list(seed, seeds)
    numbers: dict[str, Any] = {"seeds": runs, "delta_ratio": {}, "delta_ratio_range": {}}
    numbers["grad_norm_ratio"], numbers["grad_norm_ratio_range"] = {}, {}
    delta_series: dict[str, list[float]] = {}
    norm_series: dict[str, list[float]] = {}
    rows = []
    probes = {}
    for act in ("sigmoid", "tanh", "relu"):
        pr = core.probe_flow(
            act, None, depth=depth, width=width, n=n, seeds=runs
        )  # default init per activation
        probes[act] = pr
        dr, wr = pr.ratio("delta"), pr.ratio("wnorm")
        numbers["delta_ratio"][act] = dr["median"]
        numbers["delta_ratio_range"][act] = core.range_of(dr)
        numbers["grad_norm_ratio"][act] = wr["median"]
        numbers["grad_norm_ratio_range"][act] = core.range_of(wr)
        numbers[f"ratio_{act}"] = wr["median"]  # ‖∂L/∂W‖ layer 1 / layer depth (kept beside δ)
        numbers[f"delta_first_{act}"] = pr.layer("delta", 0)["median"]
        numbers[f"delta_last_{act}"] = pr.layer("delta", -1)["median"]
        numbers[f"grad_first_{act}"] = pr.layer("wnorm", 0)["median"]
        numbers[f"grad_last_{act}"] = pr.layer("wnorm", -1)["median"]
        numbers[f"std_first_{act}"] = pr.layer("std", 0)["median"]
        numbers[f"std_last_{act}"] = pr.layer("std", -1)["median"]
        numbers[f"last_mean_{act}"] = pr.stat(lambda st: st[-1].mean)["median"]
        delta_series[act] = pr.profile("delta")
        norm_series[act] = pr.profile("wnorm")
        numbers.setdefault("delta_per_layer", {})[act] = delta_series[act]
        numbers.setdefault("unit_std_per_layer", {})[act] = pr.profile("std")
        numbers.setdefault("grad_norm_per_layer", {})[act] = norm_series[act]
        rows.append(
            [
                act,
                "xavier_uniform" if act != "relu" else "he_uniform",
                sci(numbers[f"delta_last_{act}"]),
                sci(numbers[f"delta_first_{act}"]),
                core.text(dr, sci),
                f"{fmt(numbers[f'std_first_{act}'])} → {fmt(numbers[f'std_last_{act}'])}",
                core.text(wr, sci),
                fmt(numbers[f"last_mean_{act}"]),
            ]
        )
    rec = probes["sigmoid"].first  # the first seed's hidden layers
    a_all = np.concatenate([r.a.ravel() for r in rec.layers])
    numbers["max_sigmoid_derivative"] = float(np.max(a_all * (1 - a_all)))  # σ′ = σ(1 − σ)
    p = Plotter(out, "sigmoid-vanishing")
    p.backward_signal(delta_series, depth, width, len(runs))
    p.per_layer(
        "grad-norms",
        norm_series,
        f"‖∂L/∂W‖, read beside δ (median of {len(runs)} seeds)",
        "‖∂L/∂W‖",
        log=True,
    )
    p.histograms("activations", rec, "sigmoid activations per layer")
    dr = numbers["delta_ratio"]
    rs = numbers["delta_ratio_range"]
    return Result(
        "sigmoid-vanishing",
        numbers,
        [
            "activation",
            "init",
            f"δ layer {depth}",
            "δ layer 1",
            f"δ ratio 1/{depth}: median [min–max]",
            f"unit std layer 1 → {depth}",
            f"‖∂L/∂W‖ ratio 1/{depth}",
            f"mean output, layer {depth}",
        ],
        rows,
        "; ".join(
            f"{act}: δ {_trend(dr[act])}, layer 1 / layer {depth} = "
            f"{spread_of(dr[act], rs[act])} over {len(runs)} seeds"
            for act in ("sigmoid", "tanh", "relu")
        )
        + f"; σ′ never exceeded {fmt(numbers['max_sigmoid_derivative'])}",
        errata=[
            f"'when we go to other layers sigmoid output will be 0' — measured: the sigmoid "
            f"outputs of layer {depth} have mean {fmt(numbers['last_mean_sigmoid'])}; what goes to "
            f"0 is the backward signal δ (layer 1 / layer {depth} = {sci(dr['sigmoid'])}), not the output"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]), default init, {n} standard-normal inputs, one "
        f"backward pass of the MSE, seeds {runs[0]}–{runs[-1]} (data and weights); δ = RMS of ∂L/∂z over "
        f"examples and units",
        note=WEIGHT_GRAD_NOTE,
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


def centred_sigmoid(z: Tensor) -> Tensor:
    """σ(z) − ½: sigmoid's slope (σ′ ≤ 1/4) with zero-centred outputs in (−½, ½); the control
    that separates zero-centring from tanh's 4× steeper slope (tanh(z) = 2σ(2z) − 1)."""
    return sigmoid(z) - 0.5


def _sign_fractions(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean over examples, batch) fraction of layer-2 units whose weight gradients share one sign."""
    W = net.layers[1].weight
    per_example = []
    for i in range(X.shape[0]):
        net.zero_grad()
        mse_loss(net(Tensor(X[i : i + 1])), Tensor(y[i : i + 1])).backward()
        per_example.append(_same_sign_fraction(_grad_of(W)))
    net.zero_grad()
    mse_loss(net(Tensor(X)), Tensor(y)).backward()
    batch = _same_sign_fraction(_grad_of(W))
    net.zero_grad()
    return float(np.mean(per_example)), batch


def _sign_tracker(net: MLP, X: np.ndarray, y: np.ndarray, every: int, epochs: int):
    """`_sign_fractions` now and every ``every`` epochs of training (not after the last).

    Returns ``(callback, per_example, batch)``: the callback for `train` and the two lists it fills.
    """
    per_example: list[float] = []
    batch: list[float] = []

    def measure() -> None:
        pe, bt = _sign_fractions(net, X, y)
        per_example.append(pe)
        batch.append(bt)

    def callback(epoch: int, loss: float) -> None:
        if (epoch + 1) % every == 0 and epoch + 1 < epochs:
            measure()

    measure()
    return callback, per_example, batch


def _effect(ratio: float) -> str:
    """An MSE ratio (control / reference) in words: better, worse or about the same."""
    if ratio < 0.8:
        return "lower"
    if ratio > 1.25:
        return "higher"
    return "about the same"


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
    seeds: int = 5,
) -> Result:
    """The notes' sign argument: ∂L/∂w_i2 = δ · a_i, and a_i = σ(·) > 0, so for one example all
    weights into a unit move in the same direction. Measured on the second layer of a
    ``features → 16 → 8 → 1`` network, per example and for the full-batch gradient, at
    ``checkpoints`` points during training (first seed); then the training MSE over ``seeds``
    seeds of sigmoid, tanh and the two controls a causal claim needs: σ(z) − ½ (zero-centred,
    sigmoid's slope) and sigmoid at 4× the learning rate (tanh′(0) = 1 = 4·σ′(0)).
    """
    runs = core.seed_list(seed, seeds)
    every = max(epochs // checkpoints, 1)
    numbers: dict[str, Any] = {"seeds": runs}
    curves = {}

    def data(s: int) -> tuple[np.ndarray, np.ndarray]:
        gen = np.random.default_rng(s)
        X = gen.standard_normal((n, features))
        return X, np.sin(X.sum(axis=1, keepdims=True))

    configs = {
        "sigmoid": ("sigmoid", lr),
        "tanh": ("tanh", lr),
        "centred": (centred_sigmoid, lr),
        "sigmoid_4lr": ("sigmoid", 4 * lr),
    }
    labels = {
        "sigmoid": "sigmoid",
        "tanh": "tanh",
        "centred": "σ(z) − ½",
        "sigmoid_4lr": f"sigmoid, lr {4 * lr:g}",
    }
    mses: dict[str, list[float]] = {k: [] for k in configs}
    signs: dict[str, tuple[float, float, float]] = {}
    for s in runs:
        X, y = data(s)
        for key, (act, rate) in configs.items():
            net = MLP(features, [*list(hidden), 1], activation=act, init="xavier_uniform", rng=s)
            measure_signs = s == runs[0] and key in ("sigmoid", "tanh", "centred")
            callback = None
            if measure_signs:
                with no_grad():
                    mean_act = float(net.layers[0](Tensor(X)).data.mean())
                callback, per_example, batch = _sign_tracker(net, X, y, every, epochs)
            run = core.train(net, X, y, lr=rate, epochs=epochs, callback=callback)
            mses[key].append(core.final_mse(net, X, y))
            if s == runs[0]:
                curves[labels[key]] = run.losses
            if measure_signs:
                signs[key] = (float(np.mean(per_example)), float(np.mean(batch)), mean_act)
    rows = []
    numbers["mse"], numbers["mse_range"] = {}, {}
    for key in configs:
        sp = core.spread(mses[key])
        numbers["mse"][key] = sp["median"]
        numbers["mse_range"][key] = core.range_of(sp)
        numbers[f"mse_{key}"] = sp["median"]
        shown: list[float | None] = [None, None, None]  # per example, batch, mean output
        if key in signs:
            shown = list(signs[key])
            numbers[f"same_sign_per_example_{key}"] = shown[0]
            numbers[f"same_sign_batch_{key}"] = shown[1]
            numbers[f"mean_activation_{key}"] = shown[2]
        rows.append(
            [labels[key], f"{configs[key][1]:g}", fmt(shown[2]), pct(shown[0]), pct(shown[1]), core.text(sp)]
        )
    m = numbers["mse"]
    centring = m["centred"] / m["sigmoid"]
    step = m["sigmoid_4lr"] / m["sigmoid"]
    numbers["centring_effect"] = centring
    numbers["step_effect"] = step
    numbers["tanh_effect"] = m["tanh"] / m["sigmoid"]
    if centring < 0.8 and step >= 0.8:
        verdict = "zero-centring, not the slope, accounts for the gain"
    elif step < 0.8 and centring >= 0.8:
        verdict = "the larger step (tanh's slope), not zero-centring, accounts for the gain"
    elif step < 0.8 and centring < 0.8:
        verdict = "zero-centring and a larger step each help"
    else:
        verdict = (
            "neither zero-centring alone nor a 4× step alone explains tanh's lower MSE "
            "(tanh = 2σ(2z) − 1 differs from σ in centring, slope and output range at once)"
        )
    p = Plotter(out, "zero-centred")
    p.curves("loss", curves, f"sigmoid vs tanh and the controls (seed {runs[0]})", log=True)
    return Result(
        "zero-centred",
        numbers,
        [
            "activation",
            "lr",
            "mean output, layer 1",
            "one-sign units (per example)",
            "one-sign units (batch gradient)",
            f"MSE after {epochs} epochs: median [min–max]",
        ],
        rows,
        f"per example, {pct(numbers['same_sign_per_example_sigmoid'])} of sigmoid units get weight gradients "
        f"of one sign ({pct(numbers['same_sign_per_example_tanh'])} with tanh, "
        f"{pct(numbers['same_sign_per_example_centred'])} with σ(z) − ½); MSE over {len(runs)} seeds: sigmoid "
        f"{core.text(core.spread(mses['sigmoid']))}, tanh {core.text(core.spread(mses['tanh']))}; zero-centred σ(z) − ½ "
        f"{core.text(core.spread(mses['centred']))} ({_effect(centring)}), sigmoid at {4 * lr:g} "
        f"{core.text(core.spread(mses['sigmoid_4lr']))} ({_effect(step)}): {verdict}",
        errata=[
            f"'if ① is (-ve) then ② also (-ve)' holds for the gradient of one example; the "
            f"full-batch gradient sums examples whose δ differ in sign, and measured only "
            f"{pct(numbers['same_sign_batch_sigmoid'])} of sigmoid units had one-sign batch gradients",
            *(
                [
                    f"tanh's advantage is not evidence for zero-centring: a zero-centred sigmoid with "
                    f"sigmoid's slope reaches MSE {fmt(m['centred'])} vs plain sigmoid's {fmt(m['sigmoid'])} "
                    f"(median of {len(runs)} seeds); tanh = 2σ(2z) − 1 is also 4× steeper at 0"
                ]
                if centring >= 0.8
                else []
            ),
        ],
        files=p.files,
        setup=f"MLP({features}, {[*list(hidden), 1]}), xavier_uniform, {n} standard-normal inputs, "
        f"y = sin(Σx), full-batch SGD lr={lr} (controls also at {4 * lr:g}), {epochs} epochs, seeds "
        f"{runs[0]}–{runs[-1]}; signs of ∂L/∂W of layer 2 at {checkpoints} checkpoints (seed {runs[0]})",
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
    seeds: int = 5,
) -> Result:
    """Forward statistics of a deep network fed inputs of std 0.3, 1 and 3, over ``seeds`` seeds
    (seed s draws the inputs and the weights).

    Self-normalizing (Klambauer et al. 2017): with λ ≈ 1.0507, α ≈ 1.6733 and weights of
    variance 1/fan_in (``lecun_normal``), (mean, variance) = (0, 1) is an attracting fixed
    point: whatever the input scale, deep layers end up near mean 0, std 1. The same SELU with
    He weights drifts away; ReLU with He weights only preserves whatever scale it was given.
    """
    runs = core.seed_list(seed, seeds)
    configs = (("selu", "lecun_normal"), ("selu", "he_normal"), ("relu", "he_normal"))
    per: dict[str, dict[str, list[float]]] = {}
    profiles: dict[str, list[list[float]]] = {}
    for s in runs:
        X, _ = core.gaussian_data(n, width, s)
        for act, init in configs:
            net = MLP(width, [width] * depth, activation=act, init=init, rng=s)
            for scale in scales:
                with no_grad():
                    rec, _ = diagnostics.record(net, X * scale)
                stats = rec.stats()[:-1]  # the last layer is linear: hidden layers only
                key = f"{act}_{init}_{scale:g}"
                d = per.setdefault(key, {"mean_last": [], "std_last": [], "std_first": []})
                d["mean_last"].append(stats[-1].mean)
                d["std_last"].append(stats[-1].std)
                d["std_first"].append(stats[0].std)
                profiles.setdefault(f"{act}+{init}, input std {scale:g}", []).append([st.std for st in stats])
    numbers: dict[str, Any] = {"seeds": runs}
    rows = []
    for act, init in configs:
        for scale in scales:
            key = f"{act}_{init}_{scale:g}"
            sp = {what: core.spread(v) for what, v in per[key].items()}
            for what, one in sp.items():
                numbers[f"{what}_{key}"] = one["median"]
                numbers[f"{what}_{key}_range"] = core.range_of(one)
            rows.append(
                [
                    act,
                    init,
                    f"{scale:g}",
                    core.text(sp["std_first"]),
                    core.text(sp["mean_last"]),
                    core.text(sp["std_last"]),
                ]
            )
    stds_plot = {label: [float(v) for v in np.median(np.asarray(p), axis=0)] for label, p in profiles.items()}
    lecun_stds = [numbers[f"std_last_selu_lecun_normal_{s:g}"] for s in scales]
    lecun_means = [numbers[f"mean_last_selu_lecun_normal_{s:g}"] for s in scales]
    he_stds = [numbers[f"std_last_selu_he_normal_{s:g}"] for s in scales]

    def ranged(key: str) -> str:
        lo, hi = numbers[f"{key}_range"]
        return core.text({"median": numbers[key], "min": lo, "max": hi})

    lecun_text = ", ".join(ranged(f"std_last_selu_lecun_normal_{s:g}") for s in scales)
    he_text = ", ".join(ranged(f"std_last_selu_he_normal_{s:g}") for s in scales)
    numbers["selu_lecun_max_std_error"] = float(max(abs(s - 1) for s in lecun_stds))
    numbers["selu_lecun_max_abs_mean"] = float(max(abs(m) for m in lecun_means))
    p = Plotter(out, "selu-self-normalizing")
    p.per_layer(
        "std",
        stds_plot,
        f"activation std per layer (median of {len(runs)} seeds)",
        "std of the layer's outputs",
    )
    return Result(
        "selu-self-normalizing",
        numbers,
        [
            "activation",
            "init",
            "input std",
            "std, layer 1",
            f"mean, layer {depth - 1}",
            f"std, layer {depth - 1}: median [min–max]",
        ],
        rows,
        f"after {depth - 1} SELU layers with lecun_normal the std (median [min–max] of {len(runs)} seeds) "
        f"is {lecun_text} for inputs of std {', '.join(f'{s:g}' for s in scales)} "
        f"(median |mean| ≤ {fmt(numbers['selu_lecun_max_abs_mean'])}); with he_normal it drifts to "
        f"{he_text}",
        errata=[
            "the notes call λ and α 'experimental fix parameter': they are derived so that "
            "(mean 0, variance 1) is a fixed point of a SELU layer with weights of variance "
            "1/fan_in; measured, self-normalization needs that init (lecun_normal): with "
            f"he_normal the std drifts to {', '.join(fmt(s) for s in he_stds)} (median of {len(runs)} seeds)"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth}) (last layer linear), {n} standard-normal inputs "
        f"scaled by {', '.join(f'{s:g}' for s in scales)}, forward pass only, seeds {runs[0]}–{runs[-1]} "
        f"(inputs and weights)",
    )
