"""Lab experiments on weight initialization: zero-init, constant-init, small-init, large-init,
xavier-vs-he. Each builds the same network with a different initializer and measures it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..formatting import fmt, pct, sci
from ..function import no_grad
from ..nn import MLP
from . import core
from .core import WEIGHT_GRAD_NOTE, Result, experiment
from .plots import Plotter

__all__ = ["constant_init", "large_init", "small_init", "xavier_vs_he", "zero_init"]

ACTS = ("relu", "tanh", "sigmoid")


def _constant(value: float):
    def init(shape, rng):
        return np.full(shape, float(value))

    init.__name__ = f"constant({value:g})"
    return init


def _symmetric_runs(
    out, kind: str, value: float, *, n: int, hidden: int, epochs: int, lr: float, seed: int, seeds: int
) -> Result:
    """zero-init / constant-init: same network, weights and biases all ``value``, per activation,
    over ``seeds`` seeds (seed s draws the data and the random-init reference).

    The symmetric network has no random weights: on one data set its run is fixed, and the
    distinct-unit count and the parameters that changed are identities (the same on every seed).
    The MSEs depend on the data drawn and, for the reference, on the weights: median [min–max].
    Per activation: ``{act}_distinct`` is the largest count over the seeds, ``{act}_changed`` the
    first seed's largest parameter change, ``{act}_mse`` / ``{act}_mse_random`` medians.
    """
    runs = core.seed_list(seed, seeds)
    per: dict[str, list[float]] = {"var_y": [], "mse_best_line": []}
    numbers: dict[str, Any] = {"seeds": runs}
    distinct: dict[str, list[int]] = {a: [] for a in ACTS}
    changed_sets: dict[str, list[frozenset[str]]] = {a: [] for a in ACTS}
    curves = {}
    for s in runs:
        X, y = core.sine_data(n, s)
        per["var_y"].append(float(y.var()))
        per["mse_best_line"].append(core.best_line_mse(X, y))
        for act in ACTS:
            net = MLP(1, [hidden, 1], activation=act, init=_constant(value), rng=s)
            for layer in net.layers:
                if layer.bias is not None:
                    layer.bias.data[:] = value
            before = {k: v.copy() for k, v in net.state_dict().items()}
            run = core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
            after = net.state_dict()
            changed = {k: float(np.abs(after[k] - before[k]).max()) for k in before}
            with no_grad():
                rec, _ = diagnostics.record(net, X)
            distinct[act].append(rec.stats()[0].distinct)
            changed_sets[act].append(frozenset(k for k, v in changed.items() if v > 0))
            reference = MLP(1, [hidden, 1], activation=act, rng=s)  # default random init
            ref_run = core.train(reference, X, y, lr=lr, epochs=epochs, momentum=0.9)
            per.setdefault(f"{act}_mse", []).append(run.final)
            per.setdefault(f"{act}_mse_over_line", []).append(run.final / per["mse_best_line"][-1])
            per.setdefault(f"{act}_mse_random", []).append(ref_run.final)
            if s == runs[0]:
                numbers[f"{act}_changed"] = changed
                curves[f"{act}, {kind}"] = run.losses
                curves[f"{act}, random"] = ref_run.losses
    sp = {k: core.spread(v) for k, v in per.items()}
    for k, one in sp.items():
        numbers[k] = one["median"]
        numbers[f"{k}_range"] = core.range_of(one)
    rows = []
    for act in ACTS:
        numbers[f"{act}_distinct"] = max(distinct[act])
        same = len(set(changed_sets[act])) == 1  # the same parameters trained on every seed
        numbers[f"{act}_changed_same_every_seed"] = same
        trained = [
            k.replace("layers.", "L").replace(".weight", ".W").replace(".bias", ".b")
            for k, v in numbers[f"{act}_changed"].items()
            if v > 0
        ]
        rows.append(
            [
                act,
                f"{max(distinct[act])}/{hidden}",
                (", ".join(trained) or "nothing") + ("" if same else " (seed 0; differs by seed)"),
                core.text(sp[f"{act}_mse"]),
                core.text(sp[f"{act}_mse_random"]),
            ]
        )
    p = Plotter(out, kind)
    p.curves("loss", curves, f"{kind} vs random init (seed {runs[0]})")
    numbers["rows"] = rows
    return Result(
        kind,
        numbers,
        [
            "activation",
            "distinct hidden units (most over seeds)",
            "parameters that changed",
            f"MSE ({kind}): median [min–max]",
            "MSE (random init): median [min–max]",
        ],
        rows,
        files=p.files,
        setup=f"MLP(1, [{hidden}, 1]), every weight and bias = {value:g}, sin(πx) on {n} "
        f"points, SGD lr={lr} momentum=0.9, {epochs} epochs, seeds {runs[0]}–{runs[-1]} (data and the "
        f"random-init reference); L0 = hidden layer, L1 = output layer",
        note="the distinct-unit count and which parameters change are identities of the symmetric "
        "start (the same on every seed: no range needed); the MSEs depend on the data and the "
        "reference's weights, so they are medians [min–max] over the seeds",
    )


@experiment("zero-init", "zero weights: ReLU/tanh train only the output bias; sigmoid units stay identical")
def zero_init(
    out=None,
    *,
    n: int = 128,
    hidden: int = 8,
    epochs: int = 2000,
    lr: float = 0.1,
    seed: int = 0,
    seeds: int = 5,
) -> Result:
    """All weights and biases 0 (the notes' "Case 1"), for relu, tanh and sigmoid hidden units.

    ReLU and tanh: a = g(0) = 0, so the output weights get ∂L/∂v = δ·a = 0 and the hidden
    weights ∂L/∂w = δ·v·g'(0)·x = 0 (v = 0): only the output bias moves, to mean(y). Sigmoid:
    a = 0.5 for every unit, so every unit receives the same gradient: they train, but as one.
    """
    r = _symmetric_runs(
        out, "zero-init", 0.0, n=n, hidden=hidden, epochs=epochs, lr=lr, seed=seed, seeds=seeds
    )
    nb = r.numbers
    only_bias = all(
        {k for k, v in nb[f"{a}_changed"].items() if v > 0} == {"layers.1.bias"}
        and nb[f"{a}_changed_same_every_seed"]
        for a in ("relu", "tanh")
    )
    nb["relu_tanh_only_output_bias"] = only_bias
    k = len(nb["seeds"])

    def ranged(key: str) -> str:
        lo, hi = nb[f"{key}_range"]
        return core.text({"median": nb[key], "min": lo, "max": hi})

    beats = nb["sigmoid_mse_over_line"] < 1  # the median over seeds of MSE / the line's MSE
    r.conclusion = (
        f"relu and tanh: {'only the output bias trained' if only_bias else 'more than the output bias trained'} "
        f"(MSE {ranged('relu_mse')} = Var(y) {ranged('var_y')}, median [min–max] of {k} seeds); sigmoid: "
        f"{nb['sigmoid_distinct']} distinct unit of {hidden}, yet MSE {ranged('sigmoid_mse')} "
        f"{'<' if beats else '≥'} the best straight line's {ranged('mse_best_line')}; random init: "
        f"{ranged('sigmoid_mse_random')} (sigmoid)"
    )
    r.errata = [
        f"'In tanh activation ... No update, No training' — one parameter does train: the output "
        f"bias (it converges to mean(y)); the prediction is the constant mean, MSE {fmt(nb['tanh_mse'])}",
    ]
    if nb["sigmoid_mse_over_line_range"][1] < 1:  # below the line on every seed
        r.errata.append(
            f"'this model convert into linear model' (sigmoid, zero init) — the hidden units are "
            f"identical ({nb['sigmoid_distinct']} distinct of {hidden}), but one sigmoid unit is not "
            f"linear: MSE {ranged('sigmoid_mse')} beats the best straight line's {ranged('mse_best_line')}; "
            f"per seed, MSE / the line's = {ranged('sigmoid_mse_over_line')}"
        )
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
    seeds: int = 5,
) -> Result:
    """All weights and biases ``value`` (the notes' "Case 2", w = b = 0.5).

    Units that start equal compute the same z, get the same gradient and stay equal: the layer
    has the capacity of a single unit.
    """
    r = _symmetric_runs(
        out, "constant-init", value, n=n, hidden=hidden, epochs=epochs, lr=lr, seed=seed, seeds=seeds
    )
    nb = r.numbers
    r.conclusion = (
        f"w = b = {value:g}: after {epochs} epochs the {hidden} hidden units are "
        f"{', '.join(str(nb[f'{a}_distinct']) for a in ACTS)} distinct unit(s) (relu, tanh, sigmoid); "
        f"MSE {', '.join(core.text({'median': nb[f'{a}_mse'], 'min': nb[f'{a}_mse_range'][0], 'max': nb[f'{a}_mse_range'][1]}) for a in ACTS)} vs "
        f"{', '.join(core.text({'median': nb[f'{a}_mse_random'], 'min': nb[f'{a}_mse_random_range'][0], 'max': nb[f'{a}_mse_random_range'][1]}) for a in ACTS)} "
        f"with random init (median [min–max] of {len(nb['seeds'])} seeds)"
    )
    lo, hi = nb["tanh_mse_over_line_range"]
    r.errata = (
        [
            f"'This model convert into linear model' (constant init) — the layer acts as one unit, "
            f"which is still non-linear: tanh reaches MSE {fmt(nb['tanh_mse'])}, below the best "
            f"straight line's {fmt(nb['mse_best_line'])} (medians of {len(nb['seeds'])} seeds); per seed, "
            f"MSE / the line's = {core.text({'median': nb['tanh_mse_over_line'], 'min': lo, 'max': hi})}"
        ]
        if hi < 1  # below the line on every seed
        else []
    )
    return r


# ---------------------------------------------------------------------------- small / large init
def _times(x: float) -> str:
    """A factor as text: whole numbers from 10 up ("997×"), else 4 decimals."""
    return f"{fmt(round(x)) if x >= 10 else fmt(x)}×"


def _per_layer(numbers: dict[str, Any], config: str, pr: Any) -> None:
    """Store ``config``'s per-layer medians: δ (RMS), the forward per-unit std and ‖∂L/∂W‖."""
    numbers.setdefault("delta_per_layer", {})[config] = pr.profile("delta")
    numbers.setdefault("unit_std_per_layer", {})[config] = pr.profile("std")
    numbers.setdefault("grad_norm_per_layer", {})[config] = pr.profile("wnorm")


def _grows(ratio: float) -> str:
    """δ from the last hidden layer to the first, in words."""
    return "grows toward the input" if ratio > 1 else "shrinks toward the input"


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
    seeds: int = 5,
) -> Result:
    """``random_small`` (uniform in [−0.01, 0.01], the notes' "rand·0.01" made symmetric) vs the
    default (Xavier for tanh/sigmoid, He for ReLU): the forward signal's per-unit std and the
    backward signal δ = ∂L/∂z per layer over ``seeds`` seeds (‖∂L/∂W‖ beside them); then training
    a tanh network both ways.

    Each layer multiplies the signal by about √fan_in · std(w) (times the activation's slope):
    √64 · 0.0058 ≈ 0.05 here, so both signals fall ×20 per layer.
    """
    runs = core.seed_list(seed, seeds)
    numbers: dict[str, Any] = {"seeds": runs, "delta_ratio": {}, "delta_ratio_range": {}}
    rows = []
    std_series = {}
    for act in ACTS:
        for init in ("random_small", None):
            pr = core.probe_flow(act, init, depth=depth, width=width, n=n, seeds=runs)
            tag = "small" if init else "default"
            numbers[f"std_first_{act}_{tag}"] = pr.layer("std", 0)["median"]
            numbers[f"std_last_{act}_{tag}"] = pr.layer("std", -1)["median"]
            numbers[f"grad_first_{act}_{tag}"] = pr.layer("wnorm", 0)["median"]
            numbers[f"delta_first_{act}_{tag}"] = pr.layer("delta", 0)["median"]
            dr = pr.ratio("delta")
            _per_layer(numbers, f"{act}+{init or 'default'}", pr)
            if init:
                numbers["delta_ratio"][act] = dr["median"]
                numbers["delta_ratio_range"][act] = core.range_of(dr)
            else:
                numbers[f"delta_ratio_{act}_default"] = dr["median"]
            std_series[f"{act}, {'random_small' if init else 'default'}"] = pr.profile("std")
            rows.append(
                [
                    act,
                    init or "default",
                    sci(numbers[f"std_first_{act}_{tag}"]),
                    sci(numbers[f"std_last_{act}_{tag}"]),
                    core.text(dr, sci),
                    sci(numbers[f"grad_first_{act}_{tag}"]),
                ]
            )
    Xs, ys = core.sine_data(128, seed)
    curves = {}
    for init in ("random_small", None):
        net = MLP(1, [train_width] * train_depth + [1], activation="tanh", init=init, rng=seed)
        run = core.train(net, Xs, ys, lr=lr, epochs=epochs, momentum=0.9)
        tag = "small" if init else "default"
        numbers[f"train_loss_start_{tag}"] = run.losses[0]
        numbers[f"train_loss_end_{tag}"] = run.final
        curves[f"tanh, {init or 'xavier_uniform'}"] = run.losses
    p = Plotter(out, "small-init")
    p.forward_signal(std_series, depth, width, len(runs))
    p.curves("loss", curves, f"tanh {[train_width] * train_depth}: training loss")
    relu_vs_tanh = numbers["std_last_relu_small"] / numbers["std_last_tanh_small"]
    numbers["relu_over_tanh_last_std_small"] = relu_vs_tanh
    dr_ = numbers["delta_ratio"]
    return Result(
        "small-init",
        numbers,
        [
            "activation",
            "init",
            "unit std layer 1",
            f"unit std layer {depth}",
            f"δ ratio 1/{depth}: median [min–max]",
            "‖∂L/∂W‖ layer 1",
        ],
        rows,
        f"U(−0.01, 0.01): tanh's forward std falls from {sci(numbers['std_first_tanh_small'])} to "
        f"{sci(numbers['std_last_tanh_small'])} in {depth} layers and δ {_grows(dr_['tanh'])} "
        f"(layer 1 / layer {depth} = {sci(dr_['tanh'])}; default init {sci(numbers['delta_ratio_tanh_default'])}); "
        f"training tanh: loss {fmt(numbers['train_loss_start_small'])} → {fmt(numbers['train_loss_end_small'])} "
        f"vs {fmt(numbers['train_loss_start_default'])} → {fmt(numbers['train_loss_end_default'])} with Xavier",
        errata=[
            f"'In ReLU → small value → ... vanishing gradient problem (not strong) but less than tanh "
            f"and sigmoid' — measured the other way round for tanh: ReLU zeroes half of the signal, "
            f"so its layer-{depth} std is {sci(numbers['std_last_relu_small'])} vs tanh's "
            f"{sci(numbers['std_last_tanh_small'])} and its ‖∂L/∂W1‖ {sci(numbers['grad_first_relu_small'])} "
            f"vs {sci(numbers['grad_first_tanh_small'])} (sigmoid's {sci(numbers['grad_first_sigmoid_small'])} "
            f"is the smallest)"
        ]
        if relu_vs_tanh < 1
        else [],
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs, seeds {runs[0]}–{runs[-1]} "
        f"(medians); training: MLP(1, [{train_width}]×{train_depth} + [1], tanh) on sin(πx), SGD lr={lr} "
        f"momentum=0.9, {epochs} epochs",
        note=WEIGHT_GRAD_NOTE,
    )


@experiment(
    "large-init",
    "large random weights N(0, 1): tanh/sigmoid saturate, ReLU explodes; what happens to the gradients",
)
def large_init(
    out=None, *, depth: int = 6, width: int = 64, n: int = 256, seed: int = 0, seeds: int = 5
) -> Result:
    """``random_large`` (standard normal, the notes' ``np.random.randn``) vs the default init, over
    ``seeds`` seeds: saturation, the forward signal's per-unit std and the backward signal δ.

    With 64 inputs of variance 1, z = Σ wᵢxᵢ has std √64 = 8: tanh and sigmoid sit on their flat
    ends (saturated: local slope below 10 % of its peak) and ReLU's outputs grow ×√(64/2) per
    layer. Backward, δ_l = g′(z_l) ⊙ (δ_{l+1} W_{l+1}ᵀ): the weights multiply δ by about
    √fan_out · std(w) = 8 per layer while the saturated slope divides it, and which wins is
    measured: for tanh δ grows toward the input, so the gradients are large, not flat.
    """
    runs = core.seed_list(seed, seeds)
    numbers: dict[str, Any] = {"seeds": runs, "delta_ratio": {}, "delta_ratio_range": {}}
    numbers["grad_first_gain"], numbers["grad_first_gain_range"] = {}, {}
    rows = []
    p = Plotter(out, "large-init")
    probes = {}
    for act in ACTS:
        for init in ("random_large", None):
            pr = core.probe_flow(act, init, depth=depth, width=width, n=n, seeds=runs)
            probes[act, init] = pr
            tag = "large" if init else "default"
            sat = pr.stat(
                lambda st: (
                    float(np.mean([s.saturated for s in st])) if st[0].saturated is not None else np.nan
                )
            )
            numbers[f"saturated_mean_{act}_{tag}"] = None if np.isnan(sat["median"]) else sat["median"]
            numbers[f"std_first_{act}_{tag}"] = pr.layer("std", 0)["median"]
            numbers[f"std_last_{act}_{tag}"] = pr.stat(lambda st: st[-1].std)["median"]
            numbers[f"unit_std_last_{act}_{tag}"] = pr.layer("std", -1)["median"]
            numbers[f"grad_first_{act}_{tag}"] = pr.layer("wnorm", 0)["median"]
            numbers[f"z_std_first_{act}_{tag}"] = float(pr.first.layers[0].z.std())
            dr = pr.ratio("delta")
            _per_layer(numbers, f"{act}+{init or 'default'}", pr)
            if init:
                numbers["delta_ratio"][act] = dr["median"]
                numbers["delta_ratio_range"][act] = core.range_of(dr)
                p.histograms(f"{act}-histograms", pr.first, f"{act}, random_large: outputs per layer")
            else:
                numbers[f"delta_ratio_{act}_default"] = dr["median"]
            rows.append(
                [
                    act,
                    init or "default",
                    "-"
                    if numbers[f"saturated_mean_{act}_{tag}"] is None
                    else pct(numbers[f"saturated_mean_{act}_{tag}"]),
                    fmt(numbers[f"z_std_first_{act}_{tag}"]),
                    sci(numbers[f"unit_std_last_{act}_{tag}"]),
                    core.text(dr, sci),
                    sci(numbers[f"grad_first_{act}_{tag}"]),
                ]
            )
    for act in ACTS:  # layer-1 ‖∂L/∂W‖ with N(0, 1) over the default init's, seed by seed
        big, small = probes[act, "random_large"].wnorm, probes[act, None].wnorm
        gain = core.spread(b[0] / s_[0] for b, s_ in zip(big, small, strict=True))
        numbers["grad_first_gain"][act] = gain["median"]
        numbers["grad_first_gain_range"][act] = core.range_of(gain)
    # The notes' histogram remark: where do saturated tanh outputs go? to −1 and +1.
    tanh_large = probes["tanh", "random_large"].first
    a = np.concatenate([r.a.ravel() for r in tanh_large.layers])
    numbers["tanh_large_near_minus1"] = float(np.mean(a < -0.99))
    numbers["tanh_large_near_plus1"] = float(np.mean(a > 0.99))
    tanh_pile = numbers["tanh_large_near_minus1"] + numbers["tanh_large_near_plus1"]
    dr_, rr, gain_ = numbers["delta_ratio"], numbers["delta_ratio_range"], numbers["grad_first_gain"]

    def gradient_words(act: str) -> str:
        r = {"median": dr_[act], "min": rr[act][0], "max": rr[act][1]}
        flat = "the gradients are not flat" if gain_[act] > 1 else "the gradients are smaller"
        return (
            f"{act}: δ {_grows(dr_[act])} (layer 1 / layer {depth} = {core.text(r, sci)}), layer-1 ‖∂L/∂W‖ "
            f"{_times(gain_[act])} the default init's: {flat}"
        )

    errata = [
        f"'In histogram → Maximum value is lower (0) and higher (1) in tanh and ReLU' — saturated "
        f"tanh outputs pile up at −1 and +1 ({pct(numbers['tanh_large_near_minus1'])} below −0.99, "
        f"{pct(numbers['tanh_large_near_plus1'])} above 0.99, {pct(tanh_pile)} in all); sigmoid's at 0 "
        f"and 1; ReLU does not saturate, its outputs grow (std {sci(numbers['std_last_relu_large'])} "
        f"at layer {depth})"
    ]
    if dr_["tanh"] > 1 and gain_["tanh"] > 1:
        errata.append(
            f"'vanishing gradient / slow training' with large weights — measured, with N(0, 1) tanh "
            f"the backward signal grows toward the input ({_times(dr_['tanh'])} from layer {depth} to "
            f"layer 1) and layer 1's ‖∂L/∂W‖ is {_times(gain_['tanh'])} the default init's: saturation "
            f"shrinks each unit's slope, but the large weights multiply δ by more"
        )
    return Result(
        "large-init",
        numbers,
        [
            "activation",
            "init",
            "saturated (mean of layers)",
            "std of z, layer 1",
            f"unit std of a, layer {depth}",
            f"δ ratio 1/{depth}: median [min–max]",
            "‖∂L/∂W‖ layer 1",
        ],
        rows,
        f"N(0, 1) weights: z has std {fmt(numbers['z_std_first_tanh_large'])} (≈ √{width}); "
        f"{pct(numbers['saturated_mean_tanh_large'])} of tanh and {pct(numbers['saturated_mean_sigmoid_large'])} "
        f"of sigmoid outputs saturated (default init: {pct(numbers['saturated_mean_tanh_default'])}, "
        f"{pct(numbers['saturated_mean_sigmoid_default'])}); "
        + "; ".join(gradient_words(act) for act in ("tanh", "sigmoid"))
        + f"; ReLU's std grows to {sci(numbers['std_last_relu_large'])}",
        errata=errata,
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs, seeds "
        f"{runs[0]}–{runs[-1]} (medians; histograms of seed {runs[0]}); saturated: local slope below "
        f"{pct(diagnostics.SATURATION_LEVEL)} of its peak",
        note=WEIGHT_GRAD_NOTE,
    )


# ---------------------------------------------------------------------------- xavier-vs-he
@experiment(
    "xavier-vs-he", "He keeps ReLU's backward signal through 10 layers, Xavier halves its variance per layer"
)
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
    seeds: int = 5,
) -> Result:
    """tanh and ReLU networks with ``xavier_normal`` (Var(w) = 2/(fan_in + fan_out)) and
    ``he_normal`` (Var(w) = 2/fan_in), over ``seeds`` seeds: the backward signal δ = ∂L/∂z at the
    first hidden layer over δ at the last, the forward signal's per-unit std, ‖∂L/∂W‖ beside them;
    then a deep ReLU network trained with each.

    Theory (He et al. 2015, equal widths): backward, Var(δ_l) = ½ · fan_out · Var(w) · Var(δ_{l+1})
    for ReLU (half of the units pass δ on). Xavier (= 1/fan_in here) halves the variance every
    layer, δ's RMS × 0.71, so 0.71⁹ ≈ 0.045 over 10 layers; He doubles the weight variance to
    compensate: ratio ≈ 1. tanh is linear near 0, so Xavier keeps δ until tanh's curvature
    shrinks it slowly.
    """
    runs = core.seed_list(seed, seeds)
    numbers: dict[str, Any] = {"seeds": runs, "delta_ratio": {}, "delta_ratio_range": {}}
    numbers["theory_relu_xavier"] = 0.5 ** ((depth - 1) / 2)
    rows = []
    delta_series = {}
    std_series = {}
    for act in ("relu", "tanh"):
        for init in ("he_normal", "xavier_normal"):
            pr = core.probe_flow(act, init, depth=depth, width=width, n=n, seeds=runs)
            config = f"{act}+{init}"
            key = f"{act}_{init.split('_')[0]}"
            dr, sr, wr = pr.ratio("delta"), pr.ratio("std"), pr.ratio("wnorm")
            numbers["delta_ratio"][config] = dr["median"]
            numbers["delta_ratio_range"][config] = core.range_of(dr)
            numbers[f"std_ratio_{key}"] = sr["median"]
            numbers[f"std_ratio_{key}_range"] = core.range_of(sr)
            numbers[f"grad_ratio_{key}"] = wr["median"]
            numbers[f"grad_ratio_{key}_range"] = core.range_of(wr)
            _per_layer(numbers, config, pr)
            delta_series[f"{act} + {init}"] = pr.profile("delta")
            std_series[f"{act} + {init}"] = pr.profile("std")
            rows.append([act, init, core.text(dr), core.text(sr), core.text(wr, sci)])
    Xs, ys = core.sine_data(128, seed)
    curves = {}
    for init in ("xavier_normal", "he_normal"):
        finals = []
        for s in runs:
            net = MLP(1, [train_width] * train_depth + [1], activation="relu", init=init, rng=s)
            run = core.train(net, Xs, ys, lr=lr, epochs=epochs, momentum=0.9)
            finals.append(run.final)
            if s == runs[0]:
                curves[f"relu + {init} (seed {s})"] = run.losses
        sp = core.spread(finals)
        numbers[f"train_mse_relu_{init.split('_')[0]}"] = sp["median"]
        numbers[f"train_mse_relu_{init.split('_')[0]}_range"] = core.range_of(sp)
    p = Plotter(out, "xavier-vs-he")
    p.backward_signal(delta_series, depth, width, len(runs))
    p.forward_signal(std_series, depth, width, len(runs))
    p.curves("loss", curves, f"ReLU {[train_width] * train_depth}: training loss")
    d, rg = numbers["delta_ratio"], numbers["delta_ratio_range"]

    def ratio_text(config: str) -> str:
        return core.text({"median": d[config], "min": rg[config][0], "max": rg[config][1]})

    he_keeps = 0.5 <= d["relu+he_normal"] <= 2
    xavier_loses = d["relu+xavier_normal"] < 0.5
    verdict = (
        "He keeps ReLU's backward signal, Xavier loses it"
        if he_keeps and xavier_loses
        else "He keeps ReLU's backward signal"
        if he_keeps
        else "He does not keep ReLU's backward signal here"
    )
    he_mse, xa_mse = numbers["train_mse_relu_he"], numbers["train_mse_relu_xavier"]
    return Result(
        "xavier-vs-he",
        numbers,
        [
            "activation",
            "init",
            f"δ ratio layer 1/{depth}",
            f"unit std ratio {depth}/1",
            f"‖∂L/∂W‖ ratio 1/{depth}",
        ],
        rows,
        f"δ at layer 1 over δ at layer {depth} (median [min–max] of {len(runs)} seeds): relu + He "
        f"{ratio_text('relu+he_normal')}, relu + Xavier {ratio_text('relu+xavier_normal')} (theory "
        f"0.71^{depth - 1} = {fmt(numbers['theory_relu_xavier'])}), tanh + Xavier "
        f"{ratio_text('tanh+xavier_normal')}, tanh + He {ratio_text('tanh+he_normal')}: {verdict}; deep ReLU "
        f"trained: MSE {fmt(he_mse)} (He) {'<' if he_mse < xa_mse else '≥'} {fmt(xa_mse)} (Xavier)",
        files=p.files,
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs, one backward pass "
        f"of the MSE, seeds {runs[0]}–{runs[-1]}; training: MLP(1, [{train_width}]×{train_depth} + [1], "
        f"relu) on sin(πx), SGD lr={lr} momentum=0.9, {epochs} epochs, the same seeds",
        note=WEIGHT_GRAD_NOTE,
    )
