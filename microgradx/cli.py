"""The ``microgradx`` command line: demo, lab, train, graph and activations.

    microgradx demo [--out DIR]             train a toy regressor; graph, plots, a chain-rule trace
    microgradx lab --list                   the experiments, one per line
    microgradx lab NAME [--out DIR]         run one experiment of the notes
    microgradx train [--data sine --sizes 32,32 --activation tanh --lr 0.05 ...]
    microgradx graph NAME [--out FILE]      draw a small named network (microgradx graph --list)
    microgradx activations [NAME ...]       values and derivatives at a few points; --out plots

Also ``python -m microgradx``. A bad argument prints one line naming it and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
import warnings
from typing import Any, Sequence

import numpy as np

__all__ = ["main", "build_parser", "UsageError"]

DEFAULT_DEMO_DIR = "microgradx-demo"


class UsageError(Exception):
    """A bad command-line value: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise UsageError(f"{self.prog}: error: {message}")


# ---------------------------------------------------------------------------- value parsers
def _int_at_least(minimum: int, what: str):
    """An argparse type: an integer ≥ ``minimum``, or a one-line error naming the text."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "positive")
_nonneg_int = _int_at_least(0, "non-negative")


def _float(text: str, *, positive: bool = False, nonneg: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    if positive and value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    if nonneg and value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    return _float(text, positive=True)


def _nonneg_float(text: str) -> float:
    return _float(text, nonneg=True)


def _sizes(text: str) -> list[int]:
    """``"32,32"`` or ``"32 32"`` -> [32, 32]."""
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        sizes = []
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(
            f"cannot parse {text!r}: expected positive integers separated by commas, such as 32,32"
        )
    return sizes


def _points(text: str) -> list[float]:
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        pts = [float(p) for p in parts]
    except ValueError:
        pts = []
    if not pts or not all(math.isfinite(p) for p in pts):
        raise argparse.ArgumentTypeError(
            f"cannot parse {text!r}: expected numbers separated by commas, such as -2,0,2"
        )
    return pts


# ---------------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    import microgradx as mgx
    from microgradx import data, nn, optim

    out = pathlib.Path(args.out if args.out is not None else DEFAULT_DEMO_DIR)
    out.mkdir(parents=True, exist_ok=True)
    X, y = data.sine(n=200, noise=0.05, rng=args.seed)
    net = nn.MLP(1, [16, 1], activation="tanh", rng=args.seed)
    print("data: y = sin(πx) + noise (std 0.05), 200 points, x in [−1, 1]")
    print(
        f"model: MLP(1, [16, 1], activation='tanh'), xavier_uniform weights, zero biases "
        f"({sum(p.size for p in net.parameters())} parameters)"
    )
    print(f"training: full-batch SGD, lr 0.05, momentum 0.9, {args.epochs} epochs")
    opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    history = mgx.fit(net, X, y, optimizer=opt, epochs=args.epochs, progress=not args.no_progress)
    final = _mse(net, X, y)
    print(f"final MSE: {final:.6f} (first epoch {history[0]:.6f}; noise floor ≈ {0.05**2:.6f})")

    written = []
    loss = mgx.mse_loss(net(mgx.Tensor(X, name="X")), mgx.Tensor(y, name="y"))
    loss.name = "L"
    net.zero_grad()
    loss.backward()  # one training step's forward and backward
    try:
        written.append(
            mgx.render_graph(
                loss,
                out / "graph.svg",
                model=net,
                title="one training step: MSE of MLP(1, [16, 1]) after backward",
            )
        )
    except Exception as err:  # a renderer problem must not hide the rest of the demo
        print(f"graph not rendered ({type(err).__name__}: {err})")
    net.zero_grad()
    written += _loss_and_fit_plots(out, X, y, net, history, "demo")

    print()
    print(_chain_rule_of_one_weight(net, X, y))
    print()
    print(f"files in {out.resolve()}:")
    for path in written:
        print(f"  {pathlib.Path(path).name}")
    return 0


def _mse(net: Any, X: np.ndarray, y: np.ndarray) -> float:
    import microgradx as mgx

    with mgx.no_grad():
        return float(np.mean((net(mgx.Tensor(X)).data - y) ** 2))


def _loss_and_fit_plots(out: pathlib.Path, X, y, net, history, title: str) -> list[pathlib.Path]:
    """loss.png and (1-D inputs) fit.png; nothing, after a notice, without matplotlib."""
    import microgradx as mgx
    from microgradx.lab.plots import Plotter

    p = Plotter(out, "")
    p.curves("loss", {"training loss": history}, f"{title}: MSE per epoch")
    if X.shape[1] == 1:
        grid = np.linspace(X.min(), X.max(), 300).reshape(-1, 1)
        with mgx.no_grad():
            pred = net(mgx.Tensor(grid)).data
        p.fits("fit", X, y, {"network": pred}, f"{title}: data and the trained network", grid=grid)
    return p.files


def _chain_rule_of_one_weight(
    net: Any, X: np.ndarray, y: np.ndarray, i: int | None = None, j: int = 0
) -> str:
    """The chain rule for w = layers.0.weight[0, j] on one example, written with scalars.

    For one example, only hidden unit j depends on w, so the network's output is
    ŷ = v·tanh(w·x + b) + c, where c collects the other units and the output bias (constants
    with respect to w). `explain` writes ∂L/∂w for L = (ŷ − y)² factor by factor; the number is
    then checked against backward() through the whole network.
    """
    import microgradx as mgx

    i = len(X) // 4 if i is None else i
    W, b = net.layers[0].weight.data, net.layers[0].bias.data
    V, c0 = net.layers[1].weight.data, net.layers[1].bias.data
    xi, yi = float(X[i, 0]), float(y[i, 0])
    hidden = np.tanh(xi * W[0] + b)
    rest = float(hidden @ V[:, 0] - hidden[j] * V[j, 0] + c0[0])
    T = mgx.Tensor
    x = T(xi, name="x")
    w = T(W[0, j], requires_grad=True, name="w")
    z = w * x + T(b[j], name="b")
    z.name = "z"
    a = mgx.tanh(z)
    a.name = "a"
    y_hat = T(V[j, 0], name="v") * a + T(rest, name="c")
    y_hat.name = "ŷ"
    loss = (y_hat - T(yi, name="y")) ** 2
    loss.name = "L"
    e = mgx.explain(loss, w)
    # the oracle: the same example through the whole network, by backward()
    net.zero_grad()
    ((net(mgx.Tensor(X[i : i + 1])) - mgx.Tensor(y[i : i + 1])) ** 2).sum().backward()
    full = float(net.layers[0].weight.grad[0, j])
    net.zero_grad()
    lines = [
        f"chain rule for one weight: w = layers.0.weight[0, {j}] (input x → hidden unit {j + 1}), "
        f"on example {i}: x = {xi:.4f}, y = {yi:.4f}, loss L = (ŷ − y)²",
        f"  ŷ = v·a + c with a = tanh(z), z = w·x + b; c = {rest:.4f} collects the other {len(b) - 1} units "
        f"and the output bias (constant with respect to w)",
        "  ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w  (one factor per op below)",
        "",
        str(e),
        "",
        f"check: backward() through the whole network gives ∂L/∂w = {full:.4f}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- lab
def cmd_lab(args: argparse.Namespace) -> int:
    from microgradx import lab

    if args.list:
        if args.name:
            raise UsageError(
                f"microgradx lab: error: give --list or an experiment name, not both (got {args.name!r})"
            )
        print(lab.describe())
        return 0
    if not args.name:
        raise UsageError("microgradx lab: error: name an experiment (microgradx lab --list shows them)")
    try:
        experiment = lab.get(args.name)
    except ValueError as err:
        raise UsageError(f"microgradx lab: error: {err}") from None
    experiment(args.out, seed=args.seed)  # prints its table and conclusion
    return 0


# ---------------------------------------------------------------------------- train
def cmd_train(args: argparse.Namespace) -> int:
    import microgradx as mgx
    from microgradx import data, diagnostics, init, nn, optim

    if args.init is not None:
        try:
            init.get(args.init)
        except ValueError:
            raise UsageError(
                f"microgradx train: error: argument --init: unknown initializer "
                f"{args.init!r}; expected one of: {', '.join(init.INITIALIZERS)}"
            ) from None
    gen = np.random.default_rng(args.seed)
    X, y = data.get(args.data, n=args.n, noise=args.noise, rng=gen)
    net = nn.MLP(X.shape[1], args.sizes + [y.shape[1]], activation=args.activation, init=args.init, rng=gen)
    init_name = args.init or nn.default_init(args.activation)
    print(f"data: {args.data}, X {X.shape}, y {y.shape}, noise std {args.noise:g}")
    print(
        f"model: MLP({X.shape[1]}, {args.sizes + [y.shape[1]]}, activation={args.activation!r}), "
        f"init {init_name}, {sum(p.size for p in net.parameters())} parameters"
    )
    print(
        f"training: SGD lr {args.lr:g}, momentum {args.momentum:g}, {args.epochs} epochs, "
        f"batch {'full' if args.batch_size is None else args.batch_size}, seed {args.seed}"
    )
    opt = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a divergence is reported below
        history = mgx.fit(
            net,
            X,
            y,
            optimizer=opt,
            epochs=args.epochs,
            batch_size=args.batch_size,
            rng=gen,
            progress=not args.no_progress,
        )
        final = _mse(net, X, y)
    if not math.isfinite(final) or not math.isfinite(history[-1]):
        print(
            f"training diverged at epoch {len(history) - 1} (loss {history[-1]:.4g}): "
            f"lr {args.lr:g} is too large here; try --lr {args.lr / 5:g}"
        )
        return 1
    print(f"final MSE: {final:.6f} (first epoch {history[0]:.6f})")
    with mgx.no_grad():
        rec, _ = diagnostics.record(net, X)
    print("per layer, on the training data:")
    print(rec.table())
    if args.out is not None:
        out = pathlib.Path(args.out)
        written = _loss_and_fit_plots(out, X, y, net, history, "train")
        mgx.save(net.state_dict(), out / "model.npz")
        written.append(out / "model.npz")
        print(f"files in {out.resolve()}: {', '.join(p.name for p in written)}")
    return 0


# ---------------------------------------------------------------------------- graph
def cmd_graph(args: argparse.Namespace) -> int:
    import microgradx as mgx
    from microgradx.lab import networks

    if args.list:
        print(networks.describe())
        return 0
    if not args.name:
        raise UsageError("microgradx graph: error: name a network (microgradx graph --list shows them)")
    try:
        net = networks.build(args.name)
    except ValueError as err:
        raise UsageError(f"microgradx graph: error: {err}") from None
    out = pathlib.Path(args.out if args.out is not None else f"graph-{args.name}.svg")
    if out.suffix.lower() not in (".svg", ".png", ".dot", ".pdf"):
        raise UsageError(
            f"microgradx graph: error: argument --out: unsupported file type "
            f"{out.suffix or '(none)'!r} in {str(out)!r}; expected .svg, .png, .dot or .pdf"
        )
    print(net.description)
    print(mgx.trace_backward(net.loss, model=net.model))  # runs backward(), recording each step
    path = mgx.render_graph(net.loss, out, model=net.model, **net.draw_options)
    print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------- activations
def cmd_activations(args: argparse.Namespace) -> int:
    from microgradx.lab import catalog

    names = args.names or list(catalog.ACTIVATION_INFO)
    for name in names:
        if name not in catalog.ACTIVATION_INFO:
            raise UsageError(
                f"microgradx activations: error: unknown activation {name!r}; "
                f"expected one of: {', '.join(catalog.ACTIVATION_INFO)}"
            )
    for name in names:
        info = catalog.ACTIVATION_INFO[name]
        print(f"{name}: {info.formula};  derivative: {info.derivative};  range {info.range}")
    print()
    print(catalog.table(names, args.points))
    if args.out is not None:
        out = pathlib.Path(args.out)
        written = []
        for k, name in enumerate(names):
            path = catalog.plot_activation(name, out / f"{name}.png", notice=(k == 0))
            if path is None:
                break
            written.append(path)
        if written:
            print(f"files in {out.resolve()}: {', '.join(p.name for p in written)}")
    return 0


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from microgradx import data, nn

    parser = _Parser(
        prog="microgradx",
        description="A from-scratch autograd engine for learning "
        "backpropagation: demos, the lab of the lecture notes, training, graphs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "demo",
        help="train a toy regressor; graph, plots and a chain-rule trace",
        description="Train MLP(1, [16, 1], tanh) on sin(πx) with a progress bar, print "
        "the final MSE, write graph.svg (one training step), loss.png and fit.png, "
        "and print the chain rule of one weight.",
    )
    p.add_argument("--out", help=f"output directory (default ./{DEFAULT_DEMO_DIR})")
    p.add_argument("--epochs", type=_positive_int, default=2000, help="training epochs (default 2000)")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="seed for data and weights (default 0)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "lab",
        help="run an experiment of the notes (--list shows them)",
        description="Run one experiment of the lecture notes and print what it measured.",
    )
    p.add_argument("name", nargs="?", help="experiment name")
    p.add_argument("--list", action="store_true", help="list the experiments, one per line")
    p.add_argument("--out", help="directory for the plots (written when matplotlib is installed)")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="seed (default 0)")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser(
        "train",
        help="train an MLP on a toy data set",
        description="Train an MLP on a built-in toy data set and report per-layer diagnostics.",
    )
    p.add_argument("--data", choices=list(data.DATASETS), default="sine", help="data set (default sine)")
    p.add_argument("--n", type=_positive_int, default=200, help="samples (default 200)")
    p.add_argument("--noise", type=_nonneg_float, default=0.05, help="target noise std (default 0.05)")
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=[32, 32],
        help="hidden layer sizes, e.g. 32,32 (default); the output layer is added",
    )
    p.add_argument(
        "--activation", choices=list(nn.ACTIVATIONS), default="tanh", help="hidden activation (default tanh)"
    )
    p.add_argument(
        "--init", default=None, help="initializer name (default: the activation's, e.g. he_uniform for relu)"
    )
    p.add_argument("--lr", type=_positive_float, default=0.05, help="learning rate (default 0.05)")
    p.add_argument("--momentum", type=_nonneg_float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--epochs", type=_positive_int, default=1000, help="epochs (default 1000)")
    p.add_argument(
        "--batch-size", type=_positive_int, default=None, help="mini-batch size (default: full batch)"
    )
    p.add_argument("--seed", type=_nonneg_int, default=0, help="seed (default 0)")
    p.add_argument("--out", help="directory for loss.png, fit.png and model.npz")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "graph",
        help="draw a small named network (--list shows them)",
        description="Draw the computation graph of a small network of the notes after "
        "backward, and print its backward pass step by step.",
    )
    p.add_argument("name", nargs="?", help="network name")
    p.add_argument("--list", action="store_true", help="list the networks")
    p.add_argument("--out", help="output file: .svg (default graph-NAME.svg), .png, .dot or .pdf")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser(
        "activations",
        help="values and derivatives of the activations",
        description="Print each activation's formula, derivative and a table of values "
        "and derivatives; with --out, plot each with its derivative.",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="activations (default: all)")
    p.add_argument(
        "--points",
        type=_points,
        default=[-3.0, -1.0, 0.0, 1.0, 3.0],
        help="comma-separated points (default -3,-1,0,1,3)",
    )
    p.add_argument("--out", help="directory for one PNG per activation")
    p.set_defaults(func=cmd_activations)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 training diverged, 2 bad usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
