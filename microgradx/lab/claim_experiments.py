"""Lab experiments for the notes' claims that had none: convergence speed, cost, PReLU's slope,
half-dead networks, training from large weights, the uniform Xavier/He formulas, non-linear
classification.

Every headline number is a median over seeds with its range (`numbers["seeds"]` lists them),
trained with `microgradx.train.fit` and the library's losses and `SGD`; every conclusion is
computed from the numbers by a small ``_conclude_*`` function, so changing an input changes it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import activations as A
from .. import diagnostics
from ..formatting import fmt, pct, sci
from ..function import Function, no_grad
from ..nn import MLP, Layer, PReLU
from ..optim import SGD
from ..tensor import Tensor
from ..train import fit
from . import core
from .core import SEEDS, Result, experiment
from .plots import Plotter

__all__ = [
    "activation_cost",
    "half_dead_still_fits",
    "large_init_training",
    "nonlinear_classification",
    "prelu_learns_slope",
    "relu_converges_faster",
    "xavier_he_uniform",
]


# ---------------------------------------------------------------------------- seed ranges
def _text(values: Sequence[float], style: Callable[[float], str] = fmt, inf: str = "never") -> str:
    """Per-seed values as "median [min–max]" (`core.text`), ``inf`` written as the word ``inf``."""

    def one(x: float) -> str:
        return inf if math.isinf(x) else style(x)

    return core.text(core.spread(values), one)


def _epochs(x: float) -> str:
    return str(int(x))


# ---------------------------------------------------------------------------- relu-converges-faster
#: The configurations of relu-converges-faster: (label, activation, init); None = the default.
CONVERGENCE_RUNS = (
    ("relu", "relu", None),
    ("tanh", "tanh", None),
    ("sigmoid", "sigmoid", None),
    ("relu+xavier_uniform", "relu", "xavier_uniform"),
)


def _conclude_convergence(nb: dict[str, Any]) -> str:
    med = nb["epochs_to_target"]
    rng = nb["epochs_range"]
    main = [c for c in ("relu", "tanh", "sigmoid") if c in med]
    order = sorted(main, key=lambda c: med[c])

    def say(c: str) -> str:
        lo, hi = rng[c]
        return f"{c} {_text([med[c], lo, hi], _epochs)}"

    best = med[order[0]]
    winners = [c for c in order if med[c] == best]
    if math.isinf(best):
        verdict = "no activation reached the target"
    elif winners == ["relu"]:
        verdict = "ReLU converges fastest, as the notes say"
    elif len(winners) > 1:
        verdict = f"{' and '.join(winners)} tie: no activation converges faster here"
    else:
        verdict = f"{winners[0]}, not ReLU, converges fastest here"
    text = f"epochs to MSE < {nb['target']:g} (median [min–max]): " + ", ".join(say(c) for c in order)
    text += f"; {verdict}"
    if "relu+xavier_uniform" in med:
        ctrl = med["relu+xavier_uniform"]
        same = "still" if ctrl < min(med[c] for c in main if c != "relu") else "no longer"
        text += (
            f"; with tanh's xavier_uniform init ReLU takes {_text([ctrl, *rng['relu+xavier_uniform']], _epochs)}"
            f" ({same} faster than tanh and sigmoid)"
        )
    return text


@experiment(
    "relu-converges-faster",
    "ReLU vs tanh vs sigmoid: epochs to reach MSE < 0.01 on sin(πx), same lr, over 5 seeds",
)
def relu_converges_faster(
    out=None,
    *,
    n: int = 128,
    hidden: Sequence[int] = (16, 16),
    lr: float = 0.05,
    epochs: int = 2000,
    target: float = 0.01,
    seed: int = 0,
    seeds: int = len(SEEDS),
) -> Result:
    """The notes' "Convergence → faster than Sigmoid and tanh", measured as epochs until the
    training MSE first drops below ``target``.

    Protocol: the same network, data, optimizer (full-batch SGD, lr, momentum 0.9) and epoch
    budget for every activation; each activation starts from its default init (He uniform for
    ReLU, Xavier uniform for tanh and sigmoid: both uniform, fan-scaled). Control: ReLU with
    Xavier uniform, so a win cannot be the init's alone. A run that never reaches the target
    counts as ``inf`` ("never").
    """
    runs = core.seed_list(seed, seeds)
    X, y = core.sine_data(n, 0)
    per: dict[str, list[float]] = {label: [] for label, _, _ in CONVERGENCE_RUNS}
    curves: dict[str, list[float]] = {}
    for label, act, init in CONVERGENCE_RUNS:
        for seed in runs:
            net = MLP(1, [*hidden, 1], activation=act, init=init, rng=seed)
            hit: list[int] = []

            def stop(epoch: int, loss: float, hit: list[int] = hit) -> bool:
                if loss < target:
                    hit.append(epoch + 1)
                    return True
                return False

            history = core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9, callback=stop).losses
            per[label].append(float(hit[0]) if hit else math.inf)
            if seed == runs[0]:
                curves[label] = history
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "target": target,
        "per_seed": per,
        "epochs_to_target": {c: core.spread(v)["median"] for c, v in per.items()},
        "epochs_range": {c: core.range_of(core.spread(v)) for c, v in per.items()},
        "reached": {c: sum(math.isfinite(e) for e in v) for c, v in per.items()},
    }
    rows = [
        [
            label,
            init or ("he_uniform" if act == "relu" else "xavier_uniform"),
            _text(per[label], _epochs),
            f"{nb['reached'][label]}/{len(runs)}",
        ]
        for label, act, init in CONVERGENCE_RUNS
    ]
    p = Plotter(out, "relu-converges-faster")
    p.curves("loss", curves, f"MLP(1, {[*hidden, 1]}), lr={lr}: training loss (seed {runs[0]})")
    return Result(
        "relu-converges-faster",
        nb,
        ["configuration", "init", f"epochs to MSE < {target:g}: median [min–max]", "reached"],
        rows,
        _conclude_convergence(nb),
        files=p.files,
        setup=f"MLP(1, {[*hidden, 1]}) on sin(πx), {n} points; fit with SGD lr={lr} momentum=0.9, "
        f"full batch, at most {epochs} epochs; seeds {list(runs)} (initial weights)",
    )


# ---------------------------------------------------------------------------- activation-cost
def _ops() -> dict[str, tuple[type[Function], tuple[Any, ...]]]:
    """The activation ops timed, with any extra input (PReLU's slope)."""
    return {
        "relu": (A.ReLU, ()),
        "leaky_relu": (A.LeakyReLU, ()),
        "prelu": (A.PReLU, (np.array([0.25]),)),
        "tanh": (A.Tanh, ()),
        "sigmoid": (A.Sigmoid, ()),
        "elu": (A.ELU, ()),
        "selu": (A.SELU, ()),
    }


def _best_time(fn: Callable[[], Any], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _conclude_cost(nb: dict[str, Any]) -> str:
    total = nb["total_ns"]
    ratio = total["relu"] / total["tanh"]
    saving = nb["layer_saving"]
    verdict = (
        "ReLU is not much cheaper than tanh here"
        if saving < 0.25
        else "ReLU makes a layer markedly cheaper than tanh here"
    )
    return (
        f"forward + derivative per element: relu {fmt(total['relu'])} ns, tanh {fmt(total['tanh'])} ns, "
        f"sigmoid {fmt(total['sigmoid'])} ns (relu/tanh = {fmt(ratio)}); a 64-unit layer also does "
        f"three 64×64 matrix products per element ({fmt(3 * nb['matmul_64_ns'])} ns), so switching "
        f"tanh → relu saves {pct(saving)} of the layer's time: {verdict}"
    )


@experiment(
    "activation-cost",
    "time per element of each activation and its derivative in NumPy (the notes: ReLU is cheap)",
)
def activation_cost(out=None, *, size: int = 1_000_000, repeats: int = 5, seed: int = 0) -> Result:
    """Time each op's ``forward`` and ``backward`` (the engine's own NumPy code, called directly
    without building a graph) on ``size`` float64 values z ~ N(0, 1); the best of ``repeats``.

    For scale: a 64 → 64 matrix product on the same number of values (size/64 rows); a layer
    does three of them per step (x W forward, δ Wᵀ and xᵀ δ backward) besides its activation,
    and ``layer_saving`` is the fraction of such a layer's time that replacing tanh by ReLU
    saves. Timings depend on the machine: compare them within one run; never quote them as
    constants.
    """
    gen = np.random.default_rng(seed)
    z = gen.standard_normal(size)
    grad = np.ones_like(z)
    fwd: dict[str, float] = {}
    bwd: dict[str, float] = {}
    for name, (op, extra) in _ops().items():
        ctx = op.__new__(op)  # the context Function.apply would make, without the graph
        ctx.needs_input_grad = (True,) + (False,) * len(extra)

        def forward(op: Any = op, ctx: Any = ctx, extra: tuple[Any, ...] = extra) -> Any:
            return op.forward(ctx, z, *extra)

        def backward(op: Any = op, ctx: Any = ctx) -> Any:
            return op.backward(ctx, grad)

        fwd[name] = _best_time(forward, repeats)
        forward()  # the saved values backward reads
        bwd[name] = _best_time(backward, repeats)
    rows_in = max(1, size // 64)
    a = gen.standard_normal((rows_in, 64))
    w = gen.standard_normal((64, 64))
    matmul = _best_time(lambda: a @ w, repeats)
    per = 1e9 / size
    nb: dict[str, Any] = {
        "size": size,
        "forward_ns": {k: v * per for k, v in fwd.items()},
        "backward_ns": {k: v * per for k, v in bwd.items()},
        "total_ns": {k: (fwd[k] + bwd[k]) * per for k in fwd},
        "matmul_64_ns": matmul * 1e9 / (rows_in * 64),
    }
    nb["relu_over_tanh"] = nb["total_ns"]["relu"] / nb["total_ns"]["tanh"]
    # forward x W and backward δ Wᵀ and xᵀ δ: three products of the same size per layer
    layer_tanh = 3 * nb["matmul_64_ns"] + nb["total_ns"]["tanh"]
    nb["layer_saving"] = (nb["total_ns"]["tanh"] - nb["total_ns"]["relu"]) / layer_tanh
    rows = [
        [
            k,
            fmt(nb["forward_ns"][k]),
            fmt(nb["backward_ns"][k]),
            fmt(nb["total_ns"][k]),
            fmt(nb["total_ns"][k] / nb["total_ns"]["tanh"]),
        ]
        for k in fwd
    ]
    rows.append(["(64×64 matmul)", fmt(nb["matmul_64_ns"]), "-", "-", "-"])
    return Result(
        "activation-cost",
        nb,
        ["op", "forward ns/element", "derivative ns/element", "total", "total / tanh"],
        rows,
        _conclude_cost(nb),
        setup=f"{size:,} float64 values z ~ N(0, 1); each op's NumPy forward and backward called "
        f"directly, best of {repeats}; the matmul row: ns per output value of a (n, 64) @ (64, 64)",
    )


# ---------------------------------------------------------------------------- prelu-learns-slope
#: Targets with a known best slope: name -> (function of x, slope on the negative side).
PRELU_TARGETS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "|x|": (np.abs, -1.0),
    "leaky 0.2": (lambda x: np.where(x > 0, x, 0.2 * x), 0.2),
    "relu": (lambda x: np.maximum(x, 0.0), 0.0),
}


def _conclude_prelu(nb: dict[str, Any]) -> str:
    learned = nb["slope"]
    parts = [f"{t} → {fmt(learned[t])} (true {fmt(nb['true_slope'][t])})" for t in learned]
    negative = [t for t in learned if learned[t] < 0]
    if nb.get("sine_net") is not None and nb["sine_net"] < 0:
        negative.append("the sin(πx) MLP")
    text = "slope learned from 0.25 (median over seeds): " + ", ".join(parts)
    if negative:
        text += (
            f"; on {' and in '.join(negative)} it went negative: the unit is then not monotonic "
            f"(it falls for z < 0 and rises for z > 0, like |z|), which leaky ReLU's fixed 0.01 "
            f"never does"
        )
    else:
        text += "; no slope went negative"
    if nb.get("sine_net") is not None:
        text += f"; in an MLP on sin(πx) the hidden slope ended at {fmt(nb['sine_net'])}"
    return text


@experiment("prelu-learns-slope", "PReLU's slope is learned: it moves to what the data needs, even below 0")
def prelu_learns_slope(
    out=None,
    *,
    n: int = 128,
    noise: float = 0.05,
    epochs: int = 400,
    lr: float = 0.1,
    seed: int = 0,
    seeds: int = len(SEEDS),
    targets: Sequence[str] = tuple(PRELU_TARGETS),
    sine_net: bool = True,
) -> Result:
    """One PReLU unit, y = PReLU(w·x + b), slope a starting at 0.25 (PyTorch's default), fitted
    to targets whose negative-side slope is known: |x| (−1), a leaky ReLU with 0.2, ReLU (0).
    Seeds draw the inputs, the noise (std ``noise``) and w ~ U(0.5, 1.5). Then a 16-unit PReLU
    MLP on the lab's sine data (``sine_net``), for the slope a real network ends with.
    """
    runs = core.seed_list(seed, seeds)
    slopes: dict[str, list[float]] = {t: [] for t in targets}
    for seed in runs:
        gen = np.random.default_rng(seed)
        X = gen.uniform(-1.0, 1.0, size=(n, 1))
        eps = gen.standard_normal((n, 1)) * noise
        for t in targets:
            f, _true = PRELU_TARGETS[t]
            unit = Layer(
                1, 1, activation=PReLU(), init=lambda shape, rng: rng.uniform(0.5, 1.5, shape), rng=seed
            )
            core.train(unit, X, f(X) + eps, lr=lr, epochs=epochs, momentum=0.9)
            slopes[t].append(float(unit.activation.weight.data[0]))
    Xs, ys = core.sine_data(128, 0)
    sine_slopes = []
    for seed in runs if sine_net else ():
        net = MLP(1, [16, 1], activation="prelu", rng=seed)
        core.train(net, Xs, ys, lr=0.05, epochs=epochs, momentum=0.9)
        sine_slopes.append(float(net.layers[0].activation.weight.data[0]))
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "slope": {t: core.spread(v)["median"] for t, v in slopes.items()},
        "slope_range": {t: core.range_of(core.spread(v)) for t, v in slopes.items()},
        "true_slope": {t: PRELU_TARGETS[t][1] for t in targets},
        "sine_net": core.spread(sine_slopes)["median"] if sine_slopes else None,
        "sine_net_range": core.range_of(core.spread(sine_slopes)) if sine_slopes else None,
    }
    rows = [[t, fmt(PRELU_TARGETS[t][1]), _text(slopes[t])] for t in targets]
    if sine_slopes:
        rows.append(["sin(πx), MLP(1, [16, 1])", "-", _text(sine_slopes)])
    return Result(
        "prelu-learns-slope",
        nb,
        ["target", "best slope", "learned slope: median [min–max]"],
        rows,
        _conclude_prelu(nb),
        setup=f"y = PReLU(w·x + b) on {n} points x ~ U(−1, 1) plus N(0, {noise}²) noise, slope "
        f"initialized 0.25; fit with SGD lr={lr} momentum=0.9, {epochs} epochs; seeds {list(runs)}",
    )


# ---------------------------------------------------------------------------- half-dead-still-fits
def _kill(layer: Layer, units: np.ndarray) -> None:
    """Make ``units`` dead on inputs in [−1, 1]: b = −(|w| + 1), so z = w·x + b < 0 there."""
    w = layer.weight.data
    assert layer.bias is not None
    layer.bias.data[units] = -(np.abs(w[:, units]).sum(axis=0) + 1.0)


def _conclude_half_dead(nb: dict[str, Any]) -> str:
    parts = []
    fits = []
    for frac in nb["fractions"]:
        key = pct(frac)
        dead, mse = nb["dead_after"][key], nb["mse"][key]
        ok = mse < nb["target"]
        parts.append(f"{pct(dead)} dead → MSE {fmt(mse)}")
        if frac > 0.5 and dead > 0.5:
            fits.append(ok)
    text = "median over seeds: " + "; ".join(parts)
    if any(fits):
        text += (
            f"; a network with more than half of its units dead still fits (MSE < {nb['target']:g}): "
            f"what matters is how many live units remain, not the fraction"
        )
    else:
        text += f"; no network with more than half of its units dead reached MSE < {nb['target']:g}"
    return text


@experiment(
    "half-dead-still-fits",
    "the notes' '≥ 50 % dead cannot capture the pattern', tested: 75 % dead units and a good fit",
)
def half_dead_still_fits(
    out=None,
    *,
    n: int = 128,
    hidden: int = 32,
    fractions: Sequence[float] = (0.0, 0.75, 1.0),
    lr: float = 0.05,
    epochs: int = 1000,
    target: float = 0.01,
    seed: int = 0,
    seeds: int = len(SEEDS),
) -> Result:
    """A ReLU MLP(1, [hidden, 1]) whose first layer has a fraction of its units killed before
    training (bias −(|w| + 1), so z < 0 on every input in [−1, 1]), trained on sin(πx).

    A dead first-layer unit gets no gradient on fixed data and stays dead (measured after
    training with `diagnostics.dead_fraction`); the live ones fit the curve. Control: all units
    dead, where the network can only learn its output bias (MSE = Var(y)).
    """
    runs = core.seed_list(seed, seeds)
    X, y = core.sine_data(n, 0)
    dead: dict[str, list[float]] = {}
    mses: dict[str, list[float]] = {}
    for frac in fractions:
        key = pct(frac)
        dead[key], mses[key] = [], []
        for seed in runs:
            net = MLP(1, [hidden, 1], activation="relu", rng=seed)
            k = round(frac * hidden)
            _kill(net.layers[0], np.random.default_rng(seed).permutation(hidden)[:k])
            core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
            with no_grad():
                rec, _ = diagnostics.record(net, X)
            dead[key].append(diagnostics.dead_fraction(rec.layers[0].z))
            mses[key].append(core.final_mse(net, X, y))
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "fractions": list(fractions),
        "target": target,
        "var_y": float(y.var()),
        "mse_best_line": core.best_line_mse(X, y),
        "dead_after": {k: core.spread(v)["median"] for k, v in dead.items()},
        "dead_range": {k: core.range_of(core.spread(v)) for k, v in dead.items()},
        "mse": {k: core.spread(v)["median"] for k, v in mses.items()},
        "mse_range": {k: core.range_of(core.spread(v)) for k, v in mses.items()},
    }
    rows = [
        [
            pct(f),
            f"{hidden - round(f * hidden)}/{hidden}",
            _text(dead[pct(f)], pct),
            _text(mses[pct(f)]),
        ]
        for f in fractions
    ]
    return Result(
        "half-dead-still-fits",
        nb,
        ["killed at start", "live units", "dead after training", "MSE: median [min–max]"],
        rows,
        _conclude_half_dead(nb),
        errata=[
            f"'If 50% or more than 50% of neurons are dead then model cannot capture pattern' — with "
            f"{pct(nb['dead_after'][pct(f)])} of {hidden} units dead the network reaches MSE "
            f"{fmt(nb['mse'][pct(f)])} (Var(y) {fmt(nb['var_y'])}, best line {fmt(nb['mse_best_line'])}); "
            f"there is no 50 % threshold: the live units do the fitting"
            for f in fractions
            if 0.5 < f < 1.0 and nb["mse"][pct(f)] < target
        ],
        setup=f"ReLU MLP(1, [{hidden}, 1]) on sin(πx), {n} points; units killed by b = −(|w| + 1); "
        f"fit with SGD lr={lr} momentum=0.9, {epochs} epochs; seeds {list(runs)}",
    )


# ---------------------------------------------------------------------------- large-init-training
def _hidden_deltas(net: MLP, X: np.ndarray, y: np.ndarray) -> tuple[list[float], float | None]:
    """Mean |δ| = mean |∂L/∂z| of every hidden layer (input side first) and ‖∂L/∂W₁‖, at the
    current weights (`core.gradient_flow`: one forward and backward pass of the MSE)."""
    stats, _ = core.gradient_flow(net, X, y)
    deltas = [float(s.delta_mean_abs) for s in stats if s.delta_mean_abs is not None]
    return deltas, stats[0].weight_grad_norm


def _conclude_large_training(nb: dict[str, Any]) -> str:
    parts = []
    for act in nb["activations"]:
        big, ref = nb["mse_final"][f"{act}+random_large"], nb["mse_final"][f"{act}+default"]
        word = "worse than the default init" if big > ref else "better than the default init"
        div = nb["diverged"][f"{act}+random_large"]
        parts.append(
            f"{act}: δ ratio input/output side {fmt(nb['delta_ratio'][act])} at N(0, 1), "
            f"MSE {'diverged' if math.isinf(big) else fmt(big)} vs {fmt(ref)} ({word})"
            + (f", {div}/{len(nb['seeds'])} runs diverged" if div else "")
        )
    grows = [a for a in nb["activations"] if nb["delta_ratio"][a] > 1]
    text = "; ".join(parts)
    if grows:
        text += f". Under N(0, 1) weights δ grows toward the input for {', '.join(grows)}: gradients are large, not flat"
    return text


@experiment(
    "large-init-training",
    "training from N(0, 1) weights vs the default init: δ grows toward the input; how well does it train?",
)
def large_init_training(
    out=None,
    *,
    n: int = 128,
    hidden: Sequence[int] = (32, 32, 32),
    lr: float = 0.01,
    epochs: int = 400,
    activations: Sequence[str] = ("tanh", "sigmoid", "relu"),
    seed: int = 0,
    seeds: int = len(SEEDS),
) -> Result:
    """The notes' "large weights → slow training, vanishing gradient", trained instead of only
    looked at: the same MLP on sin(πx) from ``random_large`` (N(0, 1)) and from the default init,
    the same SGD. At the start: mean |δ| of the first over the last hidden layer (the backward
    signal δ = ∂L/∂z, `diagnostics`) and ‖∂L/∂W₁‖; then the MSE after ``epochs``.
    """
    runs = core.seed_list(seed, seeds)
    X, y = core.sine_data(n, 0)
    per: dict[str, dict[str, list[float]]] = {
        k: {} for k in ("delta_ratio", "grad_w1", "mse_start", "mse_final", "diverged")
    }
    curves: dict[str, list[float]] = {}
    for act in activations:
        for init in ("random_large", None):
            key = f"{act}+{init or 'default'}"
            for k in per:
                per[k][key] = []
            for seed in runs:
                net = MLP(1, [*hidden, 1], activation=act, init=init, rng=seed)
                deltas, g1 = _hidden_deltas(net, X, y)
                per["delta_ratio"][key].append(deltas[0] / deltas[-1] if deltas[-1] > 0 else math.inf)
                per["grad_w1"][key].append(float(g1 or 0.0))
                run = core.train(net, X, y, lr=lr, epochs=epochs, momentum=0.9)
                history = run.losses
                bad = run.diverged_at is not None
                per["diverged"][key].append(float(bad))
                per["mse_start"][key].append(history[0])
                per["mse_final"][key].append(math.inf if bad else core.final_mse(net, X, y))
                if seed == runs[0]:
                    curves[key] = history
    med = {k: {c: core.spread(v)["median"] for c, v in d.items()} for k, d in per.items()}
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "activations": list(activations),
        "delta_ratio": {a: med["delta_ratio"][f"{a}+random_large"] for a in activations},
        "delta_ratio_default": {a: med["delta_ratio"][f"{a}+default"] for a in activations},
        "delta_ratio_range": {
            a: core.range_of(core.spread(per["delta_ratio"][f"{a}+random_large"])) for a in activations
        },
        "grad_w1_ratio": {
            a: med["grad_w1"][f"{a}+random_large"] / med["grad_w1"][f"{a}+default"] for a in activations
        },
        "mse_start": med["mse_start"],
        "mse_final": med["mse_final"],
        "mse_final_range": {c: core.range_of(core.spread(v)) for c, v in per["mse_final"].items()},
        "diverged": {c: int(sum(v)) for c, v in per["diverged"].items()},
        "var_y": float(y.var()),
    }
    rows = []
    for act in activations:
        for tag in ("random_large", "default"):
            key = f"{act}+{tag}"
            rows.append(
                [
                    act,
                    tag,
                    _text(per["delta_ratio"][key]),
                    sci(med["grad_w1"][key]),
                    fmt(med["mse_start"][key]),
                    _text(per["mse_final"][key], inf="diverged"),
                ]
            )
    p = Plotter(out, "large-init-training")
    p.curves("loss", curves, f"MLP(1, {[*hidden, 1]}): N(0, 1) vs default init (seed {runs[0]})")
    return Result(
        "large-init-training",
        nb,
        [
            "activation",
            "init",
            "δ ratio layer 1 / last",
            "‖∂L/∂W₁‖ at start",
            "MSE epoch 1",
            f"MSE after {epochs}",
        ],
        rows,
        _conclude_large_training(nb),
        setup=f"MLP(1, {[*hidden, 1]}) on sin(πx), {n} points; random_large = N(0, 1), default = "
        f"Xavier uniform (tanh, sigmoid) / He uniform (relu); fit with SGD lr={lr} momentum=0.9, "
        f"{epochs} epochs; δ = mean |∂L/∂z| at the start; seeds {list(runs)}",
    )


# ---------------------------------------------------------------------------- xavier-he-uniform
XH_RUNS = (
    ("relu", "he_uniform"),
    ("relu", "xavier_uniform"),
    ("tanh", "xavier_uniform"),
    ("tanh", "he_uniform"),
)


def _conclude_xh(nb: dict[str, Any]) -> str:
    d = nb["delta_ratio"]
    keeps = [k for k in d if 0.5 <= d[k] <= 2.0]
    text = (
        f"δ ratio first/last hidden layer (median over seeds, {nb['depth']} layers): "
        + ", ".join(f"{k} {fmt(v)}" for k, v in d.items())
        + f" (theory for relu+xavier_uniform: 0.71^{nb['depth'] - 1} = {fmt(nb['theory_relu_xavier'])})"
    )
    text += "; δ kept within [0.5, 2] by: " + (", ".join(keeps) if keeps else "none")
    return text


@experiment(
    "xavier-he-uniform",
    "the notes' uniform formulas, limit √(6/(fan_in+fan_out)) and √(6/fan_in), through 10 layers",
)
def xavier_he_uniform(
    out=None,
    *,
    depth: int = 10,
    width: int = 64,
    n: int = 256,
    seed: int = 0,
    seeds: int = len(SEEDS),
) -> Result:
    """``xavier_uniform`` (limit √(6/(fan_in + fan_out))) and ``he_uniform`` (limit √(6/fan_in)),
    the notes' last two formulas, for ReLU and tanh through ``depth`` hidden layers of ``width``.

    Per hidden layer (`core.probe_flow`, the lab's one gradient-flow probe): the forward signal's
    per-unit std (`diagnostics.unit_std`) and the backward signal δ = ∂L/∂z as its RMS; the
    headline is δ at the first hidden layer over δ at the last. Theory (equal widths): Xavier's
    variance is 1/fan_in here, and ReLU halves the signal's second moment every layer, so δ
    shrinks by √½ ≈ 0.71 per layer toward the input; He's 2/fan_in compensates (ratio ≈ 1).
    """
    runs = core.seed_list(seed, seeds)
    ratio: dict[str, dict[str, float]] = {}
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "depth": depth,
        "theory_relu_xavier": 0.5 ** ((depth - 1) / 2),
        "std_per_layer": {},
        "delta_per_layer": {},
    }
    for act, init in XH_RUNS:
        key = f"{act}+{init}"
        probe = core.probe_flow(act, init, depth=depth, width=width, n=n, seeds=runs)
        ratio[key] = probe.ratio("delta")
        nb["std_per_layer"][key] = probe.profile("std")
        nb["delta_per_layer"][key] = probe.profile("delta")
    nb["delta_ratio"] = {k: sp["median"] for k, sp in ratio.items()}
    nb["delta_ratio_range"] = {k: core.range_of(sp) for k, sp in ratio.items()}
    rows = []
    for key in ratio:
        s = nb["std_per_layer"][key]
        rows.append([key, fmt(s[0]), fmt(s[-1]), core.text(ratio[key])])
    p = Plotter(out, "xavier-he-uniform")
    p.per_layer(
        "std", nb["std_per_layer"], f"forward: per-unit std per layer ({depth} × {width})", "unit std"
    )
    p.per_layer("delta", nb["delta_per_layer"], "backward: RMS of δ = ∂L/∂z per layer", "RMS of ∂L/∂z")
    return Result(
        "xavier-he-uniform",
        nb,
        [
            "configuration",
            "unit std layer 1",
            f"unit std layer {depth}",
            f"δ (RMS) ratio 1/{depth}: median [min–max]",
        ],
        rows,
        _conclude_xh(nb),
        setup=f"MLP({width}, [{width}]×{depth} + [1]) on {n} standard-normal inputs (drawn per seed), "
        f"MSE to sin(x₀ + x₁); microgradx.init.xavier_uniform / he_uniform; δ = RMS of ∂L/∂z; "
        f"seeds {list(runs)}",
    )


# ---------------------------------------------------------------------------- nonlinear-classification
def xor_data(n: int, gen: np.random.Generator, kind: str = "xor") -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in [−1, 1]²; label 1 where x₁·x₂ > 0 (``"xor"``, not linearly
    separable) or where x₁ + x₂ > 0 (``"linear"``, the control)."""
    X = gen.uniform(-1.0, 1.0, size=(n, 2))
    if kind == "xor":
        y = (X[:, 0] * X[:, 1] > 0).astype(float)
    elif kind == "linear":
        y = (X[:, 0] + X[:, 1] > 0).astype(float)
    else:
        raise ValueError(f"nonlinear-classification: kind must be 'xor' or 'linear', got {kind!r}")
    return X, y.reshape(-1, 1)


def _accuracy(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        logits = model(Tensor(X)).data
    return float(np.mean((logits > 0) == (y > 0.5)))


def _conclude_classification(nb: dict[str, Any]) -> str:
    lin, hid = nb["accuracy"]["linear"], nb["accuracy"]["hidden"]
    ok = nb["success"]
    text = f"test accuracy (median over seeds) on the {nb['kind']} set: linear model {pct(lin)}, one hidden layer {pct(hid)}"
    if lin < ok <= hid:
        text += f": a linear model cannot separate it, one hidden layer of {nb['hidden']} tanh units can"
    elif lin >= ok:
        text += ": the data are linearly separable, so a linear model is enough"
    else:
        text += f": neither model reached {pct(ok)}"
    return text


@experiment(
    "nonlinear-classification",
    "XOR: a linear model fails, one hidden layer succeeds (why activations must be non-linear)",
)
def nonlinear_classification(
    out=None,
    *,
    n: int = 200,
    hidden: int = 8,
    lr: float = 0.5,
    epochs: int = 500,
    kind: str = "xor",
    success: float = 0.9,
    seed: int = 0,
    seeds: int = len(SEEDS),
) -> Result:
    """The notes' first claim: g non-linear is needed "to solve classification problems that are
    not linearly separable". Data: XOR (label x₁·x₂ > 0), ``n`` training and ``n`` test points
    drawn with a seeded generator. Models: logistic regression (one `Layer`, no activation) and
    MLP(2, [hidden, 1], tanh); both trained with `fit`, loss ``bce_with_logits``, SGD lr,
    momentum 0.9. ``kind="linear"`` is the control: a linearly separable set.
    """
    runs = core.seed_list(seed, seeds)
    acc: dict[str, list[float]] = {"linear": [], "hidden": []}
    train_acc: dict[str, list[float]] = {"linear": [], "hidden": []}
    for seed in runs:
        gen = np.random.default_rng(seed)
        X, y = xor_data(n, gen, kind)
        Xt, yt = xor_data(n, gen, kind)
        models = {
            "linear": Layer(2, 1, rng=seed),
            "hidden": MLP(2, [hidden, 1], activation="tanh", rng=seed),
        }
        for name, model in models.items():
            opt = SGD(model.parameters(), lr=lr, momentum=0.9)
            fit(model, X, y, loss="bce_with_logits", optimizer=opt, epochs=epochs, progress=False)
            acc[name].append(_accuracy(model, Xt, yt))
            train_acc[name].append(_accuracy(model, X, y))
    nb: dict[str, Any] = {
        "seeds": list(runs),
        "kind": kind,
        "hidden": hidden,
        "success": success,
        "accuracy": {k: core.spread(v)["median"] for k, v in acc.items()},
        "accuracy_range": {k: core.range_of(core.spread(v)) for k, v in acc.items()},
        "train_accuracy": {k: core.spread(v)["median"] for k, v in train_acc.items()},
    }
    rows = [
        ["linear: Layer(2, 1)", _text(train_acc["linear"], pct), _text(acc["linear"], pct)],
        [
            f"MLP(2, [{hidden}, 1]), tanh",
            _text(train_acc["hidden"], pct),
            _text(acc["hidden"], pct),
        ],
    ]
    return Result(
        "nonlinear-classification",
        nb,
        ["model", "train accuracy", "test accuracy: median [min–max]"],
        rows,
        _conclude_classification(nb),
        setup=f"{kind}: {n} train + {n} test points uniform in [−1, 1]²; fit, loss bce_with_logits, "
        f"SGD lr={lr} momentum=0.9, {epochs} epochs, full batch; seeds {list(runs)}",
    )
