"""Lab experiments on dead ReLU units: dying-relu (high learning rate, negative bias) and leaky-fix.

A unit is *dead* on a data set when its pre-activation z ≤ 0 for every example: ReLU outputs 0
and ReLU'(z) = 0, so ∂L/∂w = 0 for every weight into it and gradient descent never moves them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import diagnostics
from ..formatting import fmt, pct
from ..function import no_grad
from ..functional import mse_loss
from ..nn import MLP
from ..tensor import Tensor
from ..train import DIVERGENCE_FACTOR
from . import core
from .core import Result, experiment
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


def _why_dead(runs: list[tuple[str, dict]], X: np.ndarray, y: np.ndarray) -> tuple[Any, str] | None:
    """`microgradx.why`'s diagnosis of a dead layer's weights: in the first of ``runs`` (label,
    `_dead_run` result) that ends with a hidden layer whose every unit is dead, that layer's
    ``W{k}`` after one full-batch backward pass of the trained net. None if no run has one."""
    from ..viz.why import why  # the viz package loads only when the experiment runs

    for label, r in runs:
        net = r["net"]
        layer = next((k for k, d in enumerate(r["dead_layers"]) if d == 1.0), None)
        if layer is None:
            continue
        net.zero_grad()
        with np.errstate(all="ignore"):
            loss = mse_loss(net(Tensor(X)), Tensor(y))
            loss.backward()
            d = why(loss, net.layers[layer].weight, model=net)
        net.zero_grad()
        return d, label
    return None


def _with_bias(net: Any, bias: float) -> Any:
    for layer in net.layers[:-1]:
        layer.bias.data[:] = bias
    return net


# ---------------------------------------------------------------------------- dying-relu
def _mean_dead(net: Any, X: np.ndarray) -> float:
    """Mean over the hidden layers of `diagnostics.dead_fraction`, z computed in NumPy (x W + b,
    layer by layer, the arithmetic of the forward pass) so that it is cheap to call every epoch."""
    a, fractions = X, []
    with np.errstate(all="ignore"):
        for layer in net.layers[:-1]:
            z = a @ layer.weight.data + layer.bias.data
            fractions.append(diagnostics.dead_fraction(z))
            a = np.maximum(z, 0.0)
    return float(np.mean(fractions))


def _dead_run(
    X: np.ndarray, y: np.ndarray, *, width: int, lr: float, epochs: int, bias: float, seed: int
) -> dict:
    """One ReLU network trained with `fit` (plain full-batch SGD), hidden biases set to ``bias``;
    the dead fraction (mean of the hidden layers) after every epoch, the divergence and its peak."""
    net = _with_bias(MLP(1, [width, width, 1], activation="relu", rng=seed), bias)
    dead0 = _dead_per_layer(net, X)
    W1 = net.layers[0].weight.data.copy()
    dead_cols = np.all(X @ W1 + net.layers[0].bias.data <= 0, axis=0)
    dead_by_epoch: list[float] = []

    def watch(epoch: int, loss: float) -> None:
        dead_by_epoch.append(_mean_dead(net, X))

    run = core.train(net, X, y, lr=lr, epochs=epochs, callback=watch)
    if len(dead_by_epoch) < len(run.losses):  # fit stopped at the diverging epoch, before the callback
        dead_by_epoch.append(_mean_dead(net, X))
    moved = np.abs(net.layers[0].weight.data - W1)[:, dead_cols]
    with np.errstate(all="ignore"):
        dead_layers = _dead_per_layer(net, X)
    all_dead_at = next((e for e, d in enumerate(dead_by_epoch) if d == 1.0), None)
    peak, peak_epoch = run.peak
    return {
        "net": net,
        "losses": run.losses,
        "dead_init": float(np.mean(dead0)),
        "dead": float(np.mean(dead_layers)),
        "dead_layers": dead_layers,
        "final": run.final,
        "diverged_at": run.diverged_at,
        "peak": peak,
        "peak_epoch": peak_epoch,
        "all_dead_at": all_dead_at,
        "dead_weight_change": float(moved.max()) if moved.size else 0.0,
    }


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
    seed: int = 0,
    seeds: int = 5,
) -> Result:
    """The notes' two causes of dead ReLU units and their remedy, measured over ``seeds`` seeds,
    every run trained identically (`fit`, plain full-batch SGD, ``epochs`` epochs).

    1. High learning rate: the same ``1 → width → width → 1`` ReLU network at ``low_lr`` and at
       ``high_lr``; `fit` stops where the loss diverges, and the run reports that epoch and the
       peak loss beside the dead units, and the first epoch at which every unit was dead.
    2. Large negative bias: hidden biases start at ``bias`` (He weights, inputs in [−1, 1], so
       |x·w| < 2.45 < 3): dead at the start, and their weights change by exactly 0 in training.
    3. The notes' remedy, a small positive bias (0.01), under the same training as the bias-0
       baseline, at ``low_lr`` and at ``high_lr``.
    """
    X, y = core.sine_data(n, seed)
    var_y = float(y.var())
    runs = core.seed_list(seed, seeds)
    numbers: dict[str, Any] = {"var_y": var_y, "seeds": runs}
    configs = {
        "low_lr": (low_lr, 0.0),
        "high_lr": (high_lr, 0.0),
        "negative_bias": (low_lr, bias),
        "positive_bias": (low_lr, 0.01),
        "positive_bias_high_lr": (high_lr, 0.01),
    }
    results: dict[str, list[dict]] = {k: [] for k in configs}
    for s in runs:
        for key, (lr, b) in configs.items():
            results[key].append(_dead_run(X, y, width=width, lr=lr, epochs=epochs, bias=b, seed=s))
    curves = {}
    rows = []
    for key, (lr, b) in configs.items():
        rs = results[key]
        dead = core.spread(r["dead"] for r in rs)
        final = core.spread(r["final"] for r in rs)
        div = [r for r in rs if r["diverged_at"] is not None]
        numbers[f"dead_{key}"] = dead["median"]
        numbers[f"dead_{key}_range"] = core.range_of(dead)
        numbers[f"dead_{key}_init"] = core.spread(r["dead_init"] for r in rs)["median"]
        numbers[f"dead_{key}_layers"] = [float(v) for v in np.median([r["dead_layers"] for r in rs], axis=0)]
        numbers[f"mse_{key}"] = final["median"]
        numbers[f"diverged_{key}"] = len(div)
        numbers[f"diverged_at_{key}"] = [r["diverged_at"] for r in rs]
        numbers[f"all_dead_at_{key}"] = [r["all_dead_at"] for r in rs]
        numbers[f"peak_loss_{key}"] = [r["peak"] for r in rs]
        numbers[f"peak_epoch_{key}"] = [r["peak_epoch"] for r in rs]
        curves[f"lr={lr}, bias {b:g}"] = rs[0]["losses"]
        diverged_text = (
            f"{len(div)}/{len(rs)}: epoch {'/'.join(str(r['diverged_at']) for r in div)}, peak loss "
            f"{fmt(float(np.median([r['peak'] for r in div])))}"
            if div
            else f"0/{len(rs)}"
        )
        died = [r["all_dead_at"] for r in rs if r["all_dead_at"] is not None]
        rows.append(
            [
                f"lr = {lr}",
                f"{b:g}",
                core.text(dead, pct),
                f"{len(died)}/{len(rs)}" + (f" (epoch {'/'.join(map(str, died))})" if died else ""),
                diverged_text,
                core.text(final),
            ]
        )
    numbers["dead_weight_change"] = max(r["dead_weight_change"] for r in results["negative_bias"])
    # the high-learning-rate runs: did the loss diverge before every unit was dead?
    high = results["high_lr"]
    first = [
        "divergence"
        if r["diverged_at"] is not None and (r["all_dead_at"] is None or r["diverged_at"] <= r["all_dead_at"])
        else "death"
        if r["all_dead_at"] is not None
        else "neither"
        for r in high
    ]
    numbers["high_lr_first_event"] = first
    numbers["high_lr_diverged_before_dead"] = first.count("divergence")
    pos, base = numbers["dead_positive_bias"], numbers["dead_low_lr"]
    remedy_changes = (
        abs(pos - base) > 0.05
        or abs(numbers["mse_positive_bias"] - numbers["mse_low_lr"]) > 0.2 * numbers["mse_low_lr"]
    )
    numbers["bias_remedy_changes_dead"] = bool(remedy_changes)
    ph = results["positive_bias_high_lr"]
    prevented = all(r["diverged_at"] is None and r["dead"] < 0.5 for r in ph)
    numbers["bias_remedy_prevents_high_lr_failure"] = prevented
    # why the dead units' weights never move, in the engine's words (`mgx.why`)
    candidates = [
        (f"the bias {bias:g} run (seed {s})", r) for s, r in zip(runs, results["negative_bias"], strict=True)
    ] + [(f"the lr={high_lr} run (seed {s})", r) for s, r in zip(runs, results["high_lr"], strict=True)]
    found = _why_dead(candidates, X, y)
    numbers["why_verdict"] = None if found is None else found[0].verdict
    diagnosis = (
        "no run ended with a hidden layer dead on every input"
        if found is None
        else f"in {found[1]}, `microgradx.why` on the dead layer's weights says: {found[0]}"
    )

    p = Plotter(out, "dying-relu")
    p.curves("loss", curves, f"ReLU network: training loss (seed {runs[0]})", log=True)
    high_net = high[0]["net"]
    with no_grad(), np.errstate(all="ignore"):
        rec, _ = diagnostics.record(high_net, X)
    p.histograms(
        "z-after-high-lr",
        diagnostics.Recording(rec.layers[:-1]),
        f"pre-activations z when lr={high_lr} stopped (seed {runs[0]}): z ≤ 0 everywhere = dead",
        which="z",
    )
    k = len(runs)
    div_first = [r for r, f in zip(high, first, strict=True) if f == "divergence"]
    died_first = [r for r, f in zip(high, first, strict=True) if f == "death"]
    high_sentence = (
        f"lr={high_lr}: the loss diverged before every unit was dead in {len(div_first)}/{k} seeds"
        + (
            f" (peak loss {fmt(float(np.median([r['peak'] for r in div_first])))} at epoch "
            f"{'/'.join(str(r['diverged_at']) for r in div_first)}, {core.text(core.spread(r['dead'] for r in div_first), pct)} "
            f"of the units dead when fit stopped)"
            if div_first
            else ""
        )
    )
    if died_first:
        high_sentence += (
            f"; in {len(died_first)}/{k} every unit died at epoch "
            f"{'/'.join(str(r['all_dead_at']) for r in died_first)}, on a loss peak of "
            f"{fmt(float(np.median([r['peak'] for r in died_first])))} at epoch "
            f"{'/'.join(str(r['peak_epoch']) for r in died_first)}, and the net predicts a constant "
            f"(MSE {fmt(float(np.median([r['final'] for r in died_first])))}, Var(y) = {fmt(var_y)})"
        )
    conclusion = (
        f"{high_sentence}; lr={low_lr}: {pct(numbers['dead_low_lr'])} dead; bias {bias:g}: "
        f"{pct(numbers['dead_negative_bias_init'])} dead at the start and {pct(numbers['dead_negative_bias'])} after "
        f"{epochs} epochs, their weights moved by "
        f"{'exactly 0' if numbers['dead_weight_change'] == 0 else fmt(numbers['dead_weight_change'])}; bias 0.01 under "
        f"identical training: {pct(pos)} dead vs {pct(base)} with bias 0 (MSE {fmt(numbers['mse_positive_bias'])} vs "
        f"{fmt(numbers['mse_low_lr'])}): {'a difference' if remedy_changes else 'no difference'}; at lr={high_lr} bias "
        f"0.01 diverged in {numbers['diverged_positive_bias_high_lr']}/{k} seeds with "
        f"{pct(numbers['dead_positive_bias_high_lr'])} dead: "
        f"{'it prevents' if prevented else 'it does not prevent'} the failure"
    )
    errata = [
        "'if one time Neuron is dead then everytime neuron is dead' holds for a unit whose "
        "inputs cannot change (the first hidden layer, on fixed data); a unit of a deeper "
        "layer can come back when earlier layers change its inputs (see "
        "tests/test_errata.py::test_e16_dead_unit_in_a_deeper_layer_can_revive)"
    ]
    if not remedy_changes and not prevented:
        errata.append(
            f"The remedy of a small positive initial bias (0.01) changes nothing measurable: "
            f"under the same training {pct(pos)} of units end dead vs {pct(base)} with bias 0, and at "
            f"lr={high_lr} it diverges as well ({numbers['diverged_positive_bias_high_lr']}/{k} seeds)"
        )
    return Result(
        "dying-relu",
        numbers,
        [
            "learning rate",
            "initial bias",
            "dead units at the end: median [min–max]",
            "seeds where every unit died",
            "seeds diverged",
            "final loss: median [min–max]",
        ],
        rows,
        conclusion,
        errata=errata,
        files=p.files,
        diagnosis=diagnosis,
        setup=f"MLP(1, [{width}, {width}, 1], relu, He-uniform weights), sin(πx) on {n} points in "
        f"[−1, 1], every run trained with fit: full-batch SGD, {epochs} epochs, seeds {runs[0]}–{runs[-1]} "
        f"(weights); fit stops where the loss diverges ({fmt(int(DIVERGENCE_FACTOR))}× the first); dead = z ≤ 0 on all {n} inputs",
    )


# ---------------------------------------------------------------------------- leaky-fix
@experiment("leaky-fix", "leaky ReLU (and ELU) keep a gradient flowing where ReLU units are dead")
def leaky_fix(
    out=None,
    *,
    bias: float = -3.0,
    lr: float = 0.05,
    epochs: int = 2000,
    high_lr: float = 0.5,
    high_epochs: int = 200,
    n: int = 128,
    width: int = 32,
    seed: int = 0,
    seeds: int = 5,
) -> Result:
    """Every hidden unit starts with z < 0 on every input (bias ``bias``); then train, over
    ``seeds`` seeds (seed s draws the data and the weights).

    ReLU: every unit dead, zero gradient, the loss stays at Var(y). Leaky ReLU: the gradient is
    0.01× but never 0, so the weights move. ELU: gradient αeᶻ, and its curve for z < 0 is not a
    straight line. Also: leaky ReLU at the learning rate that kills ReLU units.
    """
    runs = core.seed_list(seed, seeds)
    acts = ("relu", "leaky_relu", "elu")
    what = ("zero_grad", "negative_init", "negative_after", "weight_change", "mse")
    per: dict[str, list[float]] = {f"{w}_{a}": [] for w in what for a in acts}
    per["var_y"], per["mse_best_line"] = [], []
    diverged: dict[str, list[int | None]] = {a: [] for a in acts}
    curves = {}
    high_runs = []
    for s in runs:
        X, y = core.sine_data(n, s)
        per["var_y"].append(float(y.var()))
        per["mse_best_line"].append(core.best_line_mse(X, y))
        for act in acts:
            net = _with_bias(MLP(1, [width, 1], activation=act, rng=s), bias)
            per[f"zero_grad_{act}"].append(_zero_gradient_units(net, X, y))
            per[f"negative_init_{act}"].append(_dead_per_layer(net, X)[0])
            W0 = net.layers[0].weight.data.copy()
            run = core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
            per[f"negative_after_{act}"].append(_dead_per_layer(net, X)[0])
            per[f"weight_change_{act}"].append(float(np.abs(net.layers[0].weight.data - W0).max()))
            per[f"mse_{act}"].append(run.final)
            diverged[act].append(run.diverged_at)
            if s == runs[0]:
                curves[act] = run.losses
        net = MLP(1, [width, width, 1], activation="leaky_relu", rng=s)
        run = core.train(net, X, y, lr=high_lr, epochs=high_epochs)
        zero = None if run.diverged_at is not None else _zero_gradient_units(net, X, y)
        high_runs.append((run, zero))
    numbers: dict[str, Any] = {"seeds": runs}
    sp = {k: core.spread(v) for k, v in per.items()}
    for k, one in sp.items():
        numbers[k] = one["median"]
        numbers[f"{k}_range"] = core.range_of(one)
    line = numbers["mse_best_line"]
    relu_stuck = core.spread(m / v for m, v in zip(per["mse_relu"], per["var_y"], strict=True))
    leaky_line = core.spread(m / b for m, b in zip(per["mse_leaky_relu"], per["mse_best_line"], strict=True))
    numbers["mse_relu_over_var_y"], numbers["mse_relu_over_var_y_range"] = (
        relu_stuck["median"],
        core.range_of(relu_stuck),
    )
    numbers["mse_leaky_over_line"], numbers["mse_leaky_over_line_range"] = (
        leaky_line["median"],
        core.range_of(leaky_line),
    )
    rows = []
    for act in acts:
        hit = [d for d in diverged[act] if d is not None]
        numbers[f"diverged_{act}"] = hit[0] if hit else None  # the first seed's divergence epoch
        numbers[f"diverged_seeds_{act}"] = len(hit)
        rows.append(
            [
                act,
                core.text(sp[f"zero_grad_{act}"], pct),
                core.text(sp[f"negative_after_{act}"], pct),
                core.text(sp[f"weight_change_{act}"]),
                core.text(sp[f"mse_{act}"]),
            ]
        )
    div = [r for r, _ in high_runs if r.diverged_at is not None]
    numbers["high_lr_leaky_diverged_seeds"] = len(div)
    numbers["high_lr_leaky_diverged_at"] = div[0].diverged_at if div else None
    zeros = [z for _, z in high_runs if z is not None]
    numbers["high_lr_leaky_zero_grad"] = core.spread(zeros)["median"] if zeros else None
    finals = [r.final for r, _ in high_runs if r.diverged_at is None]
    mostly_diverged = 2 * len(div) > len(runs)
    high = (
        f"diverged in {len(div)} of {len(runs)} seeds (first at epoch {div[0].diverged_at}, loss "
        f"{fmt(div[0].peak[0])}, above {fmt(int(DIVERGENCE_FACTOR))}× the first)"
        if mostly_diverged
        else f"diverged in {len(div)} of {len(runs)} seeds; MSE {core.text(core.spread(finals))}"
    )

    p = Plotter(out, "leaky-fix")
    p.curves("loss", curves, f"all units start negative (bias {bias}, seed {runs[0]})")
    return Result(
        "leaky-fix",
        numbers,
        [
            "activation",
            "units with zero gradient",
            f"units negative on every input after {epochs} epochs",
            "max |Δw| layer 1",
            "final MSE: median [min–max]",
        ],
        rows,
        f"bias {bias} (median [min–max] of {len(runs)} seeds): units with zero gradient: relu "
        f"{core.text(sp['zero_grad_relu'], pct)}, leaky_relu {core.text(sp['zero_grad_leaky_relu'], pct)}, elu "
        f"{core.text(sp['zero_grad_elu'], pct)}; MSE relu {core.text(sp['mse_relu'])} "
        f"({'stuck at Var(y)' if relu_stuck['median'] > 0.98 else 'it trains'}), "
        f"leaky_relu {core.text(sp['mse_leaky_relu'])}, elu {core.text(sp['mse_elu'])}; leaky_relu at lr={high_lr}: {high}",
        errata=[
            f"'No dying ReLU problem' with leaky ReLU: true, no unit has a zero gradient, but "
            f"units pushed to z < 0 receive 1% of the gradient; here "
            f"{pct(numbers['negative_after_leaky_relu'])} were still negative on every input "
            f"after {epochs} epochs, and a network of such units is linear: its MSE "
            f"{fmt(numbers['mse_leaky_relu'])} is the best straight line's {fmt(line)} "
            f"(medians of {len(runs)} seeds; per seed, leaky MSE / line's MSE = {core.text(leaky_line)})",
            *(
                [
                    f"leaky ReLU fixes dead units, not a learning rate that is too high: at "
                    f"lr={high_lr}, which kills ReLU units, the leaky network {high}"
                ]
                if mostly_diverged
                else []
            ),
        ],
        files=p.files,
        setup=f"MLP(1, [{width}, 1]) with hidden bias {bias}, sin(πx) on {n} points, SGD lr={lr} "
        f"momentum=0.9, {epochs} epochs; leaky MLP(1, [{width}, {width}, 1]) at lr={high_lr}, "
        f"{high_epochs} epochs; seeds {runs[0]}–{runs[-1]} (data and weights)",
    )
