"""Train a toy regressor end to end: data, MLP with the default initializer, SGD, fit, save, reload.

    python examples/toy_regressor.py                      # sin(πx), tanh MLP 1-32-32-1
    python examples/toy_regressor.py --data polynomial --activation relu --out results/

Writes only into ``--out`` (default: a fresh temporary directory, printed at the end):
``model.npz`` (the state dict, via ``microgradx.save``), ``loss.csv`` (one row per epoch) and,
when matplotlib is installed, ``loss.png`` and ``fit.png``. Prints the final MSE. Runs in a few
seconds from any working directory.

With the defaults (lr 0.05, momentum 0.9) SELU diverges on every data set here, and PReLU and
ELU on ``polynomial``: the script then says so and exits with status 1; pass e.g. ``--lr 0.01``.
"""

from __future__ import annotations

import math
import pathlib
import sys
import tempfile
import warnings
from typing import Any

try:
    import microgradx as mgx
except ImportError:  # run from a source checkout that is not installed
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    import microgradx as mgx

import numpy as np

from microgradx import cli, data, nn, optim
from microgradx.train import diverged

ACTIVATIONS = list(nn.ACTIVATIONS)


def parse_args(argv: list[str] | None) -> Any:
    p = cli.script_parser(__doc__)
    p.add_argument(
        "--data", choices=list(data.REGRESSION_DATASETS), default="sine", help="toy data set (default sine)"
    )
    p.add_argument("--n", type=cli.positive_int, default=200, help="number of samples (default 200)")
    p.add_argument(
        "--noise", type=cli.nonneg_float, default=0.05, help="noise std of the targets (default 0.05)"
    )
    p.add_argument(
        "--activation", choices=ACTIVATIONS, default="tanh", help="hidden activation (default tanh)"
    )
    p.add_argument(
        "--hidden",
        type=cli.positive_int,
        nargs="+",
        default=[32, 32],
        help="hidden layer sizes (default 32 32)",
    )
    p.add_argument(
        "--epochs", type=cli.positive_int, default=3000, help="full-batch SGD steps (default 3000)"
    )
    p.add_argument("--lr", type=cli.positive_float, default=0.05, help="learning rate (default 0.05)")
    p.add_argument("--momentum", type=cli.nonneg_float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--seed", type=cli.nonneg_int, default=0, help="seed for data and weights (default 0)")
    p.add_argument("--out", default=None, help="output directory (default: a new temporary directory)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = p.parse_args(argv)
    args.out = cli.output_dir(p.prog, args.out or tempfile.mkdtemp(prefix="microgradx-toy-"))
    return args


def save_plots(out: pathlib.Path, X, y, net, history) -> list[pathlib.Path]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.semilogy(history)
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.set_title("training loss")
    fig.tight_layout()
    fig.savefig(out / "loss.png", dpi=100)
    plt.close(fig)
    written.append(out / "loss.png")
    if X.shape[1] == 1:
        grid = np.linspace(X.min(), X.max(), 300).reshape(-1, 1)
        with mgx.no_grad():
            pred = net(grid).data
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.scatter(X[:, 0], y[:, 0], s=8, alpha=0.5, label="data")
        ax.plot(grid[:, 0], pred[:, 0], color="C3", label="MLP")
        ax.legend()
        ax.set_title("fit")
        fig.tight_layout()
        fig.savefig(out / "fit.png", dpi=100)
        plt.close(fig)
        written.append(out / "fit.png")
    return written


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    out = args.out

    gen = np.random.default_rng(args.seed)  # one generator: data first, then weights
    X, y = data.get(args.data, n=args.n, noise=args.noise, rng=gen)
    net = nn.MLP(X.shape[1], [*args.hidden, 1], activation=args.activation, rng=gen)
    init_name = nn.default_init(args.activation)
    print(f"data: {args.data}, X {X.shape}, y {y.shape}, noise std {args.noise}")
    print(
        f"model: MLP({X.shape[1]}, {[*args.hidden, 1]}, activation={args.activation!r}), "
        f"init {init_name} (the default for {args.activation})"
    )

    try:
        opt = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    except ValueError as err:  # SGD's own checks (momentum < 1, …)
        raise cli.UsageError(f"toy_regressor.py: error: {err}") from None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # divergence is reported below
        history = mgx.fit(net, X, y, optimizer=opt, epochs=args.epochs, progress=not args.no_progress)
        with mgx.no_grad():
            final = mgx.mse_loss(net(X), y).item()
    bad = diverged(history)
    if bad is not None or not math.isfinite(final):
        bad = len(history) - 1 if bad is None else bad
        print(
            f"training diverged at epoch {bad} (loss {history[bad]:.4g}): the learning "
            f"rate {args.lr} is too large for {args.activation} here; try --lr {args.lr / 5:g}",
            file=sys.stderr,
        )
        sys.exit(1)

    mgx.save(net.state_dict(), out / "model.npz")
    copy = nn.MLP(X.shape[1], [*args.hidden, 1], activation=args.activation)
    copy.load_state_dict(mgx.load(out / "model.npz"))
    with mgx.no_grad():
        assert np.array_equal(copy(X).data, net(X).data), "reloaded model differs"
    np.savetxt(
        out / "loss.csv",
        np.column_stack([np.arange(len(history)), history]),
        delimiter=",",
        header="epoch,mse",
        comments="",
        fmt=["%d", "%.10g"],
    )
    written = [out / "model.npz", out / "loss.csv", *save_plots(out, X, y, net, history)]

    print(f"first epoch MSE {history[0]:.6f}")
    print(f"final MSE {final:.6f} (noise floor ≈ {args.noise**2:.6f})")
    print("wrote: " + ", ".join(str(p) for p in written))
    return final


if __name__ == "__main__":
    sys.exit(cli.run_script(main))
