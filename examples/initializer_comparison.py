"""Compare weight initializers on one deep network: activation std and gradient norm per layer,
saturated and dead units, and the training loss.

    python examples/initializer_comparison.py                          # tanh, 6 layers of 64
    python examples/initializer_comparison.py --activation relu --out results/

For each initializer (the notes' zeros, small and large random, then Xavier, He and LeCun) the
same network is built with the same seed; a forward and backward pass on standardized inputs
measures every layer (microgradx.diagnostics), then a short training run on sin(πx) shows which
ones learn. Plots go to --out when matplotlib is installed (default: a temporary directory).
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

import numpy as np

from microgradx import cli, diagnostics, nn
from microgradx.formatting import fmt, sci
from microgradx.lab.core import sine_data, train
from microgradx.lab.plots import Plotter

INITS = ["zeros", "random_small", "random_large", "xavier_uniform", "he_uniform", "lecun_normal"]


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    p = cli.script_parser(__doc__)
    p.add_argument(
        "--activation",
        choices=["tanh", "sigmoid", "relu", "leaky_relu", "elu", "selu"],
        default="tanh",
        help="hidden-layer activation (default tanh)",
    )
    p.add_argument("--depth", type=cli.positive_int, default=6, help="hidden layers (default 6)")
    p.add_argument("--width", type=cli.positive_int, default=64, help="units per hidden layer (default 64)")
    p.add_argument("--epochs", type=cli.positive_int, default=200, help="training epochs (default 200)")
    p.add_argument("--out", default=None, help="output directory (default: a new temporary directory)")
    args = p.parse_args(argv)
    out = cli.output_dir(p.prog, args.out or tempfile.mkdtemp(prefix="microgradx-init-"))

    gen = np.random.default_rng(0)
    X = gen.standard_normal((256, args.width))
    y = np.sin(X[:, :1] + X[:, 1:2])
    Xs, ys = sine_data(128, 0)
    results: dict[str, dict[str, float]] = {}
    std_series, grad_series, curves = {}, {}, {}
    rows = []
    for init in INITS:
        net = nn.MLP(
            args.width, [args.width] * args.depth + [1], activation=args.activation, init=init, rng=0
        )
        with diagnostics.Recorder(net) as rec:
            loss = mgx.mse_loss(net(mgx.Tensor(X)), y)
        loss.backward()
        stats = rec.stats()[:-1]
        small = nn.MLP(1, [32] * 4 + [1], activation=args.activation, init=init, rng=0)
        run = train(small, Xs, ys, lr=0.05, epochs=args.epochs, momentum=0.9)
        results[init] = {
            "std_first": stats[0].std,
            "std_last": stats[-1].std,
            "grad_first": stats[0].weight_grad_norm,
            "grad_last": stats[-1].weight_grad_norm,
            "saturated": float(np.mean([s.saturated or 0.0 for s in stats])),
            "dead": float(np.mean([s.dead or 0.0 for s in stats])),
            "distinct_last": stats[-1].distinct,
            "train_mse": run.final,
            "diverged_at": run.diverged_at,
        }
        r = results[init]
        std_series[init] = [s.std for s in stats]
        grad_series[init] = [s.weight_grad_norm for s in stats]
        curves[init] = run.losses
        trained = f"diverged at {run.diverged_at}" if run.diverged_at is not None else fmt(run.final)
        rows.append(
            [
                init,
                sci(r["std_first"]),
                sci(r["std_last"]),
                sci(r["grad_first"]),
                f"{100 * r['saturated']:.1f}%",
                f"{100 * r['dead']:.1f}%",
                f"{r['distinct_last']}/{args.width}",
                trained,
            ]
        )
    print(
        f"{args.activation}: MLP({args.width}, [{args.width}]×{args.depth} + [1]), 256 standard-normal inputs"
    )
    print(
        diagnostics.format_table(
            [
                "init",
                "std layer 1",
                f"std layer {args.depth}",
                "‖∂L/∂W1‖",
                "saturated",
                "dead",
                "distinct units",
                f"train MSE ({args.epochs} epochs)",
            ],
            rows,
        )
    )
    plots = Plotter(out, f"init-{args.activation}")
    plots.per_layer("std", std_series, f"{args.activation}: std of each layer's outputs", "std")
    plots.per_layer("grad", grad_series, f"{args.activation}: ‖∂L/∂W‖ per layer", "‖∂L/∂W‖")
    plots.curves("loss", curves, f"{args.activation}: MLP(1, [32]×4 + [1]) on sin(πx)")
    for f in plots.files:
        print(f"wrote {f}")
    return results


if __name__ == "__main__":
    sys.exit(cli.run_script(main))
