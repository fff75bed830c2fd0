"""Lab experiments on weight initialization: zero-init, constant-init, small-init, large-init,
xavier-vs-he. Each builds the same network with a different initializer and measures it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..function import no_grad
from ..nn import MLP
from .activation_experiments import _weight_grad_norms
from .core import Result, best_line_mse, experiment, fmt, gaussian_data, pct, sci, sine_data, train
from .plots import Plotter

__all__ = ["constant_init", "large_init", "small_init", "xavier_vs_he", "zero_init"]

ACTS = ("relu", "tanh", "sigmoid")


def _constant(value: float):
    def init(shape, rng):
        return np.full(shape, float(value))

    init.__name__ = f"constant({value:g})"
    return init


def _symmetric_runs(
    out, kind: str, value: float, *, n: int, hidden: int, epochs: int, lr: float, seed: int
) -> Result:
    """zero-init / constant-init: same network, weights and biases all ``value``, per activation."""
    X, y = sine_data(n, seed)
    line = best_line_mse(X, y)
    numbers: dict[str, Any] = {"var_y": float(y.var()), "mse_best_line": line}
    rows = []
    curves = {}
    for act in ACTS:
        net = MLP(1, [hidden, 1], activation=act, init=_constant(value), rng=seed)
        for layer in net.layers:
            if layer.bias is not None:
                layer.bias.data[:] = value
        before = {k: v.copy() for k, v in net.state_dict().items()}
        run = train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
        after = net.state_dict()
        changed = {k: float(np.abs(after[k] - before[k]).max()) for k in before}
        with no_grad():
            rec, _ = diagnostics.record(net, X)
        distinct = rec.stats()[0].distinct
        reference = MLP(1, [hidden, 1], activation=act, rng=seed)  # default random init
        ref_run = train(reference, X, y, lr=lr, epochs=epochs, momentum=0.9)
        curves[f"{act}, {kind}"] = run.losses
        curves[f"{act}, random"] = ref_run.losses
        trained = [
            k.replace("layers.", "L").replace(".weight", ".W").replace(".bias", ".b")
            for k, v in changed.items()
            if v > 0
        ]
        numbers.update(
            {
                f"{act}_distinct": distinct,
                f"{act}_mse": run.final,
                f"{act}_mse_random": ref_run.final,
                f"{act}_changed": changed,
            }
        )
        rows.append(
            [act, f"{distinct}/{hidden}", ", ".join(trained) or "nothing", fmt(run.final), fmt(ref_run.final)]
        )
    p = Plotter(out, kind)
    p.curves("loss", curves, f"{kind} vs random init")
    numbers["rows"] = rows
    return Result(
        kind,
        numbers,
        [
            "activation",
            "distinct hidden units",
            "parameters that changed",
            f"MSE ({kind})",
            "MSE (random init)",
        ],
        rows,
        files=p.files,
        setup=f"MLP(1, [{hidden}, 1]), every weight and bias = {value:g}, sin(πx) on {n} "
        f"points, SGD lr={lr} momentum=0.9, {epochs} epochs; L0 = hidden layer, "
        f"L1 = output layer",
    )


@experiment("zero-init", "zero weights: ReLU/tanh train only the output bias; sigmoid units stay identical")
def zero_init(
    out=None, *, n: int = 128, hidden: int = 8, epochs: int = 2000, lr: float = 0.1, seed: int = 0
) -> Result:
    """All weights and biases 0 (the notes' "Case 1"), for relu, tanh and sigmoid hidden units.

    ReLU and tanh: a = g(0) = 0, so the output weights get ∂L/∂v = δ·a = 0 and the hidden
    weights ∂L/∂w = δ·v·g'(0)·x = 0 (v = 0): only the output bias moves, to mean(y). Sigmoid:
    a = 0.5 for every unit, so every unit receives the same gradient: they train, but as one.
    """
    r = _symmetric_runs(out, "zero-init", 0.0, n=n, hidden=hidden, epochs=epochs, lr=lr, seed=seed)
    nb = r.numbers
    only_bias = all(
        {k for k, v in nb[f"{a}_changed"].items() if v > 0} == {"layers.1.bias"} for a in ("relu", "tanh")
    )
    nb["relu_tanh_only_output_bias"] = only_bias
    r.conclusion = (
        f"relu and tanh: only the output bias trained (MSE {fmt(nb['relu_mse'])} = Var(y) "
        f"{fmt(nb['var_y'])}); sigmoid: {nb['sigmoid_distinct']} distinct unit of {hidden}, yet MSE "
        f"{fmt(nb['sigmoid_mse'])} < the best straight line's {fmt(nb['mse_best_line'])}; random init: "
        f"{fmt(nb['sigmoid_mse_random'])} (sigmoid)"
    )
    r.errata = [
        f"'In tanh activation ... No update, No training' — one parameter does train: the output "
        f"bias (it converges to mean(y)); the prediction is the constant mean, MSE {fmt(nb['tanh_mse'])}",
        f"'this model convert into linear model' (sigmoid, zero init) — the hidden units are "
        f"identical ({nb['sigmoid_distinct']} distinct of {hidden}), but one sigmoid unit is not "
        f"linear: MSE {fmt(nb['sigmoid_mse'])} beats the best straight line's {fmt(nb['mse_best_line'])}",
    ]
    return r


@experiment(
    "constant-init", "constant weights (0.5): every hidden unit stays the same unit however long it trains"
)
def constant_init(
    out=None,
    *,
    n: int = 128,
    hidden: int = 8,
    epochs: int = 2000,
    lr: float = 0.1,
    value: float = 0.5,
    seed: int = 0,
) -> Result:
    """All weights and biases ``value`` (the notes' "Case 2", w = b = 0.5).

    Units that start equal compute the same z, get the same gradient and stay equal: the layer
    has the capacity of a single unit.
    """
    r = _symmetric_runs(out, "constant-init", value, n=n, hidden=hidden, epochs=epochs, lr=lr, seed=seed)
    nb = r.numbers
    r.conclusion = (
        f"w = b = {value:g}: after {epochs} epochs the {hidden} hidden units are "
        f"{', '.join(str(nb[f'{a}_distinct']) for a in ACTS)} distinct unit(s) (relu, tanh, sigmoid); "
        f"MSE {', '.join(fmt(nb[f'{a}_mse']) for a in ACTS)} vs "
        f"{', '.join(fmt(nb[f'{a}_mse_random']) for a in ACTS)} with random init"
    )
    r.errata = [
        f"'This model convert into linear model' (constant init) — the layer acts as one unit, "
        f"which is still non-linear: tanh reaches MSE {fmt(nb['tanh_mse'])}, below the best "
        f"straight line's {fmt(nb['mse_best_line'])}"
    ]
    return r


# ---------------------------------------------------------------------------- small / large init
def _deep_probe(
    act: str, init: Any, X: np.ndarray, y: np.ndarray, depth: int, width: int, seed: int
) -> tuple[list[diagnostics.LayerStats], list[float], diagnostics.Recording]:
    net = MLP(X.shape[1], [width] * depth + [1], activation=act, init=init, rng=seed)
    norms = _weight_grad_norms(net, X, y)[:-1]
    with no_grad():
        rec, _ = diagnostics.record(net, X)
    return rec.stats()[:-1], norms, diagnostics.Recording(rec.layers[:-1])


@experiment(
    "small-init", "small random weights U(−0.01, 0.01): activations and gradients vanish layer by layer"
)
def small_init(
    out=None,
    *,
    depth: int = 6,
    width: int = 64,
    n: int = 256,
    train_depth: int = 4,
    train_width: int = 32,
    epochs: int = 300,
    lr: float = 0.1,
    seed: int = 0,
) -> Result:
    """``random_small`` (uniform in [−0.01, 0.01], the notes' "rand·0.01" made symmetric) vs the
    default (Xavier for tanh/sigmoid, He for ReLU), forward std and ‖∂L/∂W‖ per layer; then
    training a tanh network both ways."""
    X, y = gaussian_data(n, width, seed)
    numbers: dict[str, Any] = {}
    rows = []
    std_series = {}
    for act in ACTS:
        for init in ("random_small", None):
            stats, norms, _ = _deep_probe(act, init, X, y, depth, width, seed)
            tag = "small" if init else "default"
            numbers[f"std_first_{act}_{tag}"] = stats[0].std
            numbers[f"std_last_{act}_{tag}"] = stats[-1].std
            numbers[f"grad_first_{act}_{tag}"] = norms[0]
            std_series[f"{act}, {'random_small' if init else 'default'}"] = [s.std for s in stats]
            rows.append([act, init or "default", sci(stats[0].std), sci(stats[-1].std), sci(norms[0])])
    Xs, ys = sine_data(128, seed)
    curves = {}
    for init in ("random_small", None):
        net = MLP(1, [train_width] * train_depth + [1], activation="tanh", init=init, rng=seed)
        run = train(net, Xs, ys, lr=lr, epochs=epochs, momentum=0.9)
        tag = "small" if init else "default"
        numbers[f"train_loss_start_{tag}"] = run.losses[0]
        numbers[f"train_loss_end_{tag}"] = run.final
        curves[f"tanh, {init or 'xavier_uniform'}"] = run.losses
    p = Plotter(out, "small-init")
    p.per_layer("std", std_series, f"activation std per layer ({depth} layers of {width})", "std")
    p.curves("loss", curves, f"tanh {[train_width] * train_depth}: training loss")
    relu_vs_tanh = numbers["std_last_relu_small"] / numbers["std_last_tanh_small"]
    numbers["relu_over_tanh_last_std_small"] = relu_vs_tanh
    return Result(
        "small-init",
        numbers,
        ["activation", "init", "std layer 1", f"std layer {depth}", "‖∂L/∂W‖ layer 1"],
        rows,
        f"U(−0.01, 0.01): tanh std falls from {sci(numbers['std_first_tanh_small'])} to "
        f"{sci(numbers['std_last_tanh_small'])} in {depth} layers, ‖∂L/∂W1‖ {sci(numbers['grad_first_tanh_small'])} "
        f"(default {sci(numbers['grad_first_tanh_default'])}); training tanh: loss "
        f"{fmt(numbers['train_loss_start_small'])} → {fmt(numbers['train_loss_end_small'])} vs "
        f"{fmt(numbers['train_loss_start_default'])} → {fmt(numbers['train_loss_end_default'])} with Xavier",
        errata=[
            f"'In ReLU → small value → ... vanishing gradient problem (not strong) but less than tanh "
            f"and sigmoid' — measured the other way round for tanh: ReLU zeroes half of the signal, "
            f"so its layer-{depth} std is {sci(numbers['std_last_relu_small'])} vs tanh's "
            f"{sci(numbers['std_last_tanh_small'])} and its ‖∂L/∂W1‖ {sci(numbers['grad_first_relu_small'])} "
            f"vs {sci(numbers['grad_first_tanh_small'])} (sigmoid's {sci(numbers['grad_first_sigmoid_small'])} "
            f"is the smallest)"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs; training: "
        f"MLP(1, [{train_width}]×{train_depth} + [1], tanh) on sin(πx), SGD lr={lr} momentum=0.9, {epochs} epochs",
    )


@experiment(
    "large-init", "large random weights N(0, 1): tanh/sigmoid saturate (flat gradients), ReLU explodes"
)
def large_init(out=None, *, depth: int = 6, width: int = 64, n: int = 256, seed: int = 0) -> Result:
    """``random_large`` (standard normal, the notes' ``np.random.randn``) vs the default init.

    With 64 inputs of variance 1, z = Σ wᵢxᵢ has std √64 = 8: tanh and sigmoid sit on their flat
    ends (saturated: |z| > 2.65 for tanh, > 4.6 for sigmoid) and ReLU's outputs grow ×√(64/2)
    per layer.
    """
    X, y = gaussian_data(n, width, seed)
    numbers: dict[str, Any] = {}
    rows = []
    p = Plotter(out, "large-init")
    for act in ACTS:
        for init in ("random_large", None):
            stats, norms, rec = _deep_probe(act, init, X, y, depth, width, seed)
            tag = "large" if init else "default"
            sat = [s.saturated for s in stats]
            numbers[f"saturated_mean_{act}_{tag}"] = None if sat[0] is None else float(np.mean(sat))  # type: ignore[arg-type]  # all None or none
            numbers[f"std_first_{act}_{tag}"] = stats[0].std
            numbers[f"std_last_{act}_{tag}"] = stats[-1].std
            numbers[f"grad_first_{act}_{tag}"] = norms[0]
            numbers[f"z_std_first_{act}_{tag}"] = float(rec.layers[0].z.std())
            rows.append(
                [
                    act,
                    init or "default",
                    "-" if sat[0] is None else pct(float(np.mean(sat))),  # type: ignore[arg-type]
                    fmt(float(rec.layers[0].z.std())),
                    sci(stats[-1].std),
                    sci(norms[0]),
                ]
            )
            if init:
                p.histograms(f"{act}-histograms", rec, f"{act}, random_large: outputs per layer")
            if act == "tanh" and init:
                tanh_large = rec
    # The notes' histogram remark: where do saturated tanh outputs go? to −1 and +1.
    a = np.concatenate([r.a.ravel() for r in tanh_large.layers])
    numbers["tanh_large_near_minus1"] = float(np.mean(a < -0.99))
    numbers["tanh_large_near_plus1"] = float(np.mean(a > 0.99))
    tanh_pile = numbers["tanh_large_near_minus1"] + numbers["tanh_large_near_plus1"]
    return Result(
        "large-init",
        numbers,
        [
            "activation",
            "init",
            "saturated (mean of layers)",
            "std of z, layer 1",
            f"std of a, layer {depth}",
            "‖∂L/∂W‖ layer 1",
        ],
        rows,
        f"N(0, 1) weights: z has std {fmt(numbers['z_std_first_tanh_large'])} (≈ √{width}); "
        f"{pct(numbers['saturated_mean_tanh_large'])} of tanh and {pct(numbers['saturated_mean_sigmoid_large'])} "
        f"of sigmoid outputs saturated (default init: {pct(numbers['saturated_mean_tanh_default'])}, "
        f"{pct(numbers['saturated_mean_sigmoid_default'])}); ReLU's std grows to {sci(numbers['std_last_relu_large'])}",
        errata=[
            f"'In histogram → Maximum value is lower (0) and higher (1) in tanh and ReLU' — saturated "
            f"tanh outputs pile up at −1 and +1 ({pct(numbers['tanh_large_near_minus1'])} below −0.99, "
            f"{pct(numbers['tanh_large_near_plus1'])} above 0.99, {pct(tanh_pile)} in all); sigmoid's at 0 "
            f"and 1; ReLU does not saturate, its outputs grow (std {sci(numbers['std_last_relu_large'])} "
            f"at layer {depth})"
        ],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs; saturated: "
        f"|z| > 2.647 (tanh), > 4.595 (sigmoid)",
    )


# ---------------------------------------------------------------------------- xavier-vs-he
@experiment("xavier-vs-he", "Xavier keeps tanh's signal, He keeps ReLU's: activation std layer after layer")
def xavier_vs_he(
    out=None,
    *,
    depth: int = 10,
    width: int = 64,
    n: int = 256,
    train_depth: int = 10,
    train_width: int = 32,
    epochs: int = 300,
    lr: float = 0.005,
    seed: int = 0,
) -> Result:
    """tanh and ReLU networks with ``xavier_normal`` (Var(w) = 2/(fan_in + fan_out)) and
    ``he_normal`` (Var(w) = 2/fan_in): std of the outputs of layer 1 and layer ``depth`` and
    ‖∂L/∂W‖ of layer 1; then a deep ReLU network trained with each.

    Theory (equal widths): ReLU zeroes half of z, so with Xavier (= 1/fan_in here) the variance
    halves every layer (std × 0.71); He doubles the weight variance to compensate. tanh is
    linear near 0, so Xavier keeps its variance until tanh's curvature shrinks it slowly; He
    pushes tanh toward saturation.
    """
    X, y = gaussian_data(n, width, seed)
    numbers: dict[str, Any] = {}
    rows = []
    std_series = {}
    for act in ("tanh", "relu"):
        for init in ("xavier_normal", "he_normal"):
            stats, norms, _ = _deep_probe(act, init, X, y, depth, width, seed)
            key = f"{act}_{init.split('_')[0]}"
            numbers[f"std_first_{key}"] = stats[0].std
            numbers[f"std_last_{key}"] = stats[-1].std
            numbers[f"std_ratio_{key}"] = stats[-1].std / stats[0].std
            numbers[f"grad_ratio_{key}"] = norms[0] / norms[-1]
            sat = stats[-1].saturated
            numbers[f"saturated_last_{key}"] = sat
            std_series[f"{act} + {init}"] = [s.std for s in stats]
            rows.append(
                [
                    act,
                    init,
                    fmt(stats[0].std),
                    fmt(stats[-1].std),
                    fmt(numbers[f"std_ratio_{key}"]),
                    sci(numbers[f"grad_ratio_{key}"]),
                ]
            )
    Xs, ys = sine_data(128, seed)
    curves = {}
    for init in ("xavier_normal", "he_normal"):
        net = MLP(1, [train_width] * train_depth + [1], activation="relu", init=init, rng=seed)
        run = train(net, Xs, ys, lr=lr, epochs=epochs, momentum=0.9)
        numbers[f"train_mse_relu_{init.split('_')[0]}"] = run.final
        curves[f"relu + {init}"] = run.losses
    p = Plotter(out, "xavier-vs-he")
    p.per_layer("std", std_series, f"activation std per layer ({depth} layers of {width})", "std", log=True)
    p.curves("loss", curves, f"ReLU {[train_width] * train_depth}: training loss")
    return Result(
        "xavier-vs-he",
        numbers,
        [
            "activation",
            "init",
            "std layer 1",
            f"std layer {depth}",
            f"std ratio {depth}/1",
            f"‖∂L/∂W‖ ratio 1/{depth}",
        ],
        rows,
        f"relu: std ratio layer {depth}/layer 1 = {fmt(numbers['std_ratio_relu_he'])} with He vs "
        f"{fmt(numbers['std_ratio_relu_xavier'])} with Xavier (theory 0.71^{depth - 1} = "
        f"{fmt(0.5 ** ((depth - 1) / 2))}); tanh: {fmt(numbers['std_ratio_tanh_xavier'])} with Xavier, "
        f"{fmt(numbers['std_ratio_tanh_he'])} with He; deep ReLU trained: MSE "
        f"{fmt(numbers['train_mse_relu_he'])} (He) vs {fmt(numbers['train_mse_relu_xavier'])} (Xavier)",
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs; training: "
        f"MLP(1, [{train_width}]×{train_depth} + [1], relu) on sin(πx), SGD lr={lr} momentum=0.9, {epochs} epochs",
    )
