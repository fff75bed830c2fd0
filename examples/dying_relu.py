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

import pathlib
import sys
import tempfile

try:
    import microgradx as mgx
except ImportError:  # run from a source checkout that is not installed
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    import microgradx as mgx

from microgradx import cli, diagnostics, nn
from microgradx.formatting import fmt
from microgradx.lab.core import best_line_mse, sine_data, train
from microgradx.lab.plots import Plotter

CASES = [
    ("relu, lr 0.05", "relu", 0.05, 0.0, 0.0),
    ("relu, lr 0.5", "relu", 0.5, 0.0, 0.0),
    ("relu, bias -3", "relu", 0.05, 0.9, -3.0),
    ("leaky_relu, bias -3", "leaky_relu", 0.05, 0.9, -3.0),
]


def conclusions(results: dict[str, dict], *, var: float, line_mse: float) -> list[str]:
    """One sentence per case, each computed from that run's numbers (nothing is assumed)."""
    lines = []
    for label, act, *_ in CASES:
        r = results[label]
        negative, mse = r["negative"], r["mse"]
        if r["diverged_at"] is not None:
            lines.append(
                f"{label}: training diverged at epoch {r['diverged_at']} (loss not finite or 1e4× the first)"
            )
        elif act == "relu" and all(v == 1.0 for v in negative):
            close = abs(mse - var) <= 0.05 * var
            lines.append(
                f"{label}: every unit is dead, so the network predicts a constant: MSE {fmt(mse)} "
                f"{'≈' if close else 'vs'} Var(y) = {fmt(var)}"
            )
        elif act != "relu" and all(v == 1.0 for v in negative):
            lines.append(
                f"{label}: every unit is negative on every input, so the network is linear: MSE "
                f"{fmt(mse)} vs the best straight line's {fmt(line_mse)}"
            )
        else:
            share = max(negative)
            word = "dead" if act == "relu" else "negative on every input"
            lines.append(
                f"{label}: at most {100 * share:.1f}% of a layer's units {word}; MSE {fmt(mse)} "
                f"(a straight line: {fmt(line_mse)})"
            )
    return lines


def main(argv: list[str] | None = None) -> dict[str, dict]:
    p = cli.script_parser(__doc__)
    p.add_argument(
        "--epochs", type=cli.positive_int, default=1000, help="training epochs per case (default 1000)"
    )
    p.add_argument("--out", default=None, help="output directory (default: a new temporary directory)")
    args = p.parse_args(argv)
    out = cli.output_dir(p.prog, args.out or tempfile.mkdtemp(prefix="microgradx-relu-"))

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
    for line in conclusions(results, var=float(y.var()), line_mse=best_line_mse(X, y)):
        print(line)
    for f in plots.files:
        print(f"wrote {f}")
    return results


if __name__ == "__main__":
    sys.exit(cli.run_script(main))
