"""Dying ReLU, watched: a high learning rate or a large negative bias kills units; leaky ReLU keeps
a gradient flowing.

    python examples/dying_relu.py [--out DIR]

Trains the same 1-32-1 network on sin(πx) four ways and prints, per hidden layer, the share of
dead units (z ≤ 0 on every input: ReLU outputs 0 and passes no gradient) and the final error:

    relu, lr 0.05            the healthy baseline
    relu, lr 0.5             the notes' "high learning rate": most units die
    relu, bias −3            the notes' "high negative bias": dead from the first step
    leaky_relu, bias −3      same start, but 1% of the gradient still flows (the weights move; the
                             units stay negative, so the network is linear)

Histograms of the pre-activations go to --out (default: a temporary directory) with matplotlib.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

try:
    import microgradx as mgx
except ImportError:  # run from a source checkout that is not installed
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    import microgradx as mgx

from microgradx import diagnostics, nn
from microgradx.lab.core import best_line_mse, fmt, sine_data, train
from microgradx.lab.plots import Plotter

CASES = [
    ("relu, lr 0.05", "relu", 0.05, 0.0, 0.0),
    ("relu, lr 0.5", "relu", 0.5, 0.0, 0.0),
    ("relu, bias -3", "relu", 0.05, 0.9, -3.0),
    ("leaky_relu, bias -3", "leaky_relu", 0.05, 0.9, -3.0),
]


def main(argv: list[str] | None = None) -> dict[str, dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--out", type=pathlib.Path, default=None, help="output directory (default: a temp dir)")
    args = p.parse_args(argv)
    out = args.out if args.out is not None else pathlib.Path(tempfile.mkdtemp(prefix="microgradx-relu-"))
    out.mkdir(parents=True, exist_ok=True)

    X, y = sine_data(128, 0)
    plots = Plotter(out, "dying-relu")
    results = {}
    rows = []
    for label, act, lr, momentum, bias in CASES:
        net = nn.MLP(1, [32, 1], activation=act, rng=0)
        for layer in net.layers[:-1]:
            layer.bias.data[:] = bias
        run = train(net, X, y, lr=lr, epochs=args.epochs, momentum=momentum)
        with mgx.no_grad():
            rec, _ = diagnostics.record(net, X)
        negative = [s.negative for s in rec.stats()[:-1]]
        results[label] = {"negative": negative, "mse": run.final, "diverged_at": run.diverged_at}
        dead = " / ".join(f"{100 * v:.1f}%" for v in negative)
        rows.append(
            [label, dead if act == "relu" else f"0% ({dead} negative on every input)", fmt(run.final)]
        )
        plots.histograms(
            label.replace(", ", "-").replace(" ", ""),
            diagnostics.Recording(rec.layers[:-1]),
            f"{label}: pre-activations z after training",
            which="z",
        )
    print(f"MLP(1, [32, 1]) on sin(πx), {args.epochs} epochs; Var(y) = {fmt(float(y.var()))}")
    print(diagnostics.format_table(["training", "dead units", "final MSE"], rows))
    print(f"all units dead: the network predicts a constant, MSE = Var(y) = {fmt(float(y.var()))}")
    print(
        f"leaky units all negative: the network is linear, at best the straight line's MSE "
        f"{fmt(best_line_mse(X, y))}; the notes' other remedies (lower lr, bias 0.01) avoid the problem"
    )
    for f in plots.files:
        print(f"wrote {f}")
    return results


if __name__ == "__main__":
    main()
