"""The ``microgradx`` command line: parses arguments and dispatches to the library, nothing more.

    microgradx demo [--out DIR]             train a toy regressor; graph, plots, a chain-rule trace
    microgradx lab --list                   the experiments, one per line
    microgradx lab NAME [--out DIR]         run one experiment of the notes
    microgradx train [--data sine --sizes 32,32 --activation tanh --lr 0.05 ...]
    microgradx train --task classify [--data moons ...]   cross-entropy; accuracy reported
    microgradx graph NAME [--out FILE]      draw a small named network (microgradx graph --list)
    microgradx activations [NAME ...]       values and derivatives at a few points; --out plots

Also ``python -m microgradx``. Exit status: 0 done, 1 training diverged, 2 bad usage — a bad
argument, or an ``--out`` that cannot be written — reported as one line naming it, no traceback.
Anything else is a bug and surfaces as one.

**Adding a subcommand** is one local block: a function that adds its arguments and a function
that runs it, registered with `command`::

    def _hello_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--times", type=positive_int, default=1, help="how often (default 1)")

    @command("hello", help="say hello", description="Say hello.", arguments=_hello_arguments)
    def cmd_hello(args: argparse.Namespace) -> int:
        print("hello\\n" * args.times, end="")
        return 0

The argument types below (`positive_int`, `positive_float`, `sizes`, `points` …) are shared with
the example scripts, so a script refuses what the command refuses, with the same words.
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import pathlib
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from microgradx import validation

__all__ = [
    "COMMANDS",
    "MAX_LAYER_SIZE",
    "MAX_SAMPLES",
    "Command",
    "UsageError",
    "build_parser",
    "command",
    "main",
    "nonneg_float",
    "nonneg_int",
    "output_dir",
    "output_file",
    "parse_args",
    "points",
    "positive_float",
    "positive_int",
    "sizes",
]

DEFAULT_DEMO_DIR = "microgradx-demo"

#: The widest hidden layer ``train --sizes`` accepts (a 4096×4096 weight is 128 MB in float64).
MAX_LAYER_SIZE = 4096
#: The most samples ``train --n`` accepts.
MAX_SAMPLES = 100_000

#: Options whose value may start with "-" (a list of numbers such as -2,0,2).
_NEGATIVE_VALUE_OPTIONS = ("--points",)


class UsageError(Exception):
    """A bad command-line value or an unwritable output: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise UsageError(f"{self.prog}: error: {message}")


def script_parser(doc: str | None) -> argparse.ArgumentParser:
    """The parser of an example script, with the CLI's rules: one-line errors (exit 2, via
    `run_script`) and the whole first paragraph of ``doc`` as the ``--help`` description."""
    first = (doc or "").strip().split("\n\n")[0]
    return _Parser(description=" ".join(first.split()))


def run_script(main: Callable[[Sequence[str] | None], Any], argv: Sequence[str] | None = None) -> int:
    """Run an example's ``main(argv)``: 0 when it returns, 2 and one line on stderr for bad usage."""
    try:
        main(argv)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------------------- argument types
def _int_at_least(minimum: int, what: str, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in [minimum, maximum], or a one-line error naming the text."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"at most {maximum} allowed, got {text!r}")
        return value

    return parse


positive_int = _int_at_least(1, "positive")
nonneg_int = _int_at_least(0, "non-negative")
_samples = _int_at_least(1, "positive", MAX_SAMPLES)


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


def finite_float(text: str) -> float:
    """An argparse type: a finite number."""
    return _float(text)


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0."""
    return _float(text, positive=True)


def nonneg_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    return _float(text, nonneg=True)


def _separated(text: str, convert: Callable[[str], Any], valid: Callable[[Any], bool], expected: str) -> list:
    """``text`` split at commas and spaces, each part converted; ArgumentTypeError naming ``expected``
    where a part does not convert or is not ``valid``, or there are none."""
    try:
        values = [convert(p) for p in text.replace(",", " ").split()]
    except ValueError:
        values = []
    if not values or not all(valid(v) for v in values):
        raise argparse.ArgumentTypeError(f"cannot parse {text!r}: expected {expected}")
    return values


def sizes(text: str) -> list[int]:
    """``"32,32"`` or ``"32 32"`` -> [32, 32]: positive layer sizes, each at most `MAX_LAYER_SIZE`."""
    values = _separated(text, int, lambda s: s >= 1, "positive integers separated by commas, such as 32,32")
    if max(values) > MAX_LAYER_SIZE:
        raise argparse.ArgumentTypeError(
            f"layer size {max(values)} in {text!r} is above the limit of {MAX_LAYER_SIZE} units per layer"
        )
    return values


def points(text: str) -> list[float]:
    """``"-2,0,2"`` -> [-2.0, 0.0, 2.0]: finite numbers separated by commas or spaces."""
    return _separated(text, float, math.isfinite, "numbers separated by commas, such as -2,0,2")


# ---------------------------------------------------------------------------- outputs
def output_dir(prog: str, text: str | os.PathLike[str]) -> pathlib.Path:
    """The folder ``text``, created if missing and checked writable; `UsageError` if it cannot be."""
    path = pathlib.Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(
            f"{prog}: error: argument --out: {str(path)!r} is a file, expected a folder"
        ) from None
    except OSError as err:
        raise UsageError(
            f"{prog}: error: argument --out: cannot create the folder {str(path)!r}: {_reason(err)}"
        ) from None
    probe = path / ".microgradx-write-test"
    try:
        probe.touch()
        probe.unlink()
    except OSError as err:
        raise UsageError(
            f"{prog}: error: argument --out: cannot write into {str(path)!r}: {_reason(err)}"
        ) from None
    return path


def output_file(prog: str, text: str | os.PathLike[str]) -> pathlib.Path:
    """The file ``text``, its folder created if missing and checked writable; `UsageError` if not."""
    path = pathlib.Path(text)
    if path.is_dir():
        raise UsageError(f"{prog}: error: argument --out: {str(path)!r} is a folder, expected a file name")
    existed = path.exists()
    in_the_way = next((q for q in path.parents if q.exists() and not q.is_dir()), None)
    if in_the_way is not None:
        raise UsageError(
            f"{prog}: error: argument --out: cannot write {str(path)!r}: {str(in_the_way)!r} is a file, "
            "not a folder"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
        if not existed:
            path.unlink()
    except OSError as err:
        raise UsageError(
            f"{prog}: error: argument --out: cannot write {str(path)!r}: {_reason(err)}"
        ) from None
    return path


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


# ---------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Command:
    """A subcommand: its name, help texts, the function adding its arguments and the one running it."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


#: The subcommands, in the order ``microgradx --help`` lists them.
COMMANDS: dict[str, Command] = {}


def command(
    name: str, *, arguments: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register the decorated ``run(args) -> exit status`` as subcommand ``name``.

    The docstring of ``run`` is the subcommand's help: its first line (lower-cased, without the
    final period) is the one-line help of ``microgradx --help``, the paragraphs after it the
    description of ``microgradx NAME --help``. ``run`` finds its program name ("microgradx NAME",
    for error messages) in ``args.prog``.
    """

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        if name in COMMANDS:
            raise ValueError(f"command: a subcommand named {name!r} is already registered")
        summary, _, rest = inspect.cleandoc(run.__doc__ or "").partition("\n\n")
        if not summary or not rest:
            raise ValueError(
                f"command {name!r}: {run.__name__} needs a docstring: a summary line, then a description"
            )
        help_text = summary[0].lower() + summary[1:].removesuffix(".")
        description = " ".join(rest.split())
        COMMANDS[name] = Command(name, help_text, description, arguments, run)
        return run

    return register


def _progress_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the progress bar (default: only when stderr is a terminal)",
    )


# ---------------------------------------------------------------------------- demo
def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help=f"output folder (default ./{DEFAULT_DEMO_DIR})")
    p.add_argument("--epochs", type=positive_int, default=2000, help="training epochs (default 2000)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="seed for data and weights (default 0)")
    _progress_arguments(p)


@command("demo", arguments=_demo_arguments)
def cmd_demo(args: argparse.Namespace) -> int:
    """Train a toy regressor; graph, plots and a chain-rule trace.

    Train MLP(1, [16, 1], tanh) on sin(πx), print the final MSE, write graph.svg (one training
    step), backprop.html (the backward pass on one example, to step through in a browser), loss.png
    and fit.png (with matplotlib), print the backward pass on one example and the chain rule of one
    weight.
    """
    from microgradx.demo import run_demo

    out = output_dir(args.prog, args.out if args.out is not None else DEFAULT_DEMO_DIR)
    result = run_demo(out, epochs=args.epochs, seed=args.seed, progress=args.progress)
    print("\n".join(result.setup))
    print(
        f"final MSE: {result.final_mse:.6f} (first epoch {result.history[0]:.6f}; "
        f"noise floor ≈ {0.05**2:.6f})"
    )
    if result.graph_error is not None:
        print(f"{args.prog}: {result.graph_error}", file=sys.stderr)
    print()
    print("the backward pass of the trained network on one example (trace_backward):")
    print(result.trace)
    print()
    print(result.chain_rule)
    print()
    print(f"files in {out.resolve()}:")
    for path in result.files:
        print(f"  {pathlib.Path(path).name}")
    player = out / "backprop.html"
    if player.exists():
        print(f"open {player} in a browser to step through the backward pass on that example")
    print(
        "fit compiled each training step (mgx.compile); to read the generated code: microgradx train --show-code"
    )
    return 0


# ---------------------------------------------------------------------------- lab
def _lab_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="experiment name")
    p.add_argument("--list", action="store_true", help="list the experiments, one per line")
    p.add_argument("--out", help="folder for the plots (written when matplotlib is installed)")
    p.add_argument("--seed", type=nonneg_int, default=0, help="seed (default 0)")


@command("lab", arguments=_lab_arguments)
def cmd_lab(args: argparse.Namespace) -> int:
    """Run an experiment of the notes (--list shows them).

    Run one experiment of the lecture notes and print what it measured.
    """
    from microgradx import lab

    if args.list:
        if args.name:
            raise UsageError(
                f"{args.prog}: error: give --list or an experiment name, not both (got {args.name!r})"
            )
        print(lab.describe())
        return 0
    if not args.name:
        raise UsageError(f"{args.prog}: error: name an experiment ({args.prog} --list shows them)")
    try:
        experiment = lab.get(args.name)
    except ValueError as err:
        raise UsageError(f"{args.prog}: error: {err}") from None
    out = None if args.out is None else output_dir(args.prog, args.out)
    experiment(out, seed=args.seed)  # prints its table and conclusion
    return 0


# ---------------------------------------------------------------------------- train
def _train_arguments(p: argparse.ArgumentParser) -> None:
    from microgradx import data, nn

    p.add_argument(
        "--task",
        choices=["regression", "classify"],
        default="regression",
        help="regression (MSE, the default) or classify (logits out, cross-entropy, accuracy)",
    )
    p.add_argument(
        "--data",
        choices=list(data.DATASETS),
        default=None,
        help=f"data set (default sine; moons with --task classify); regression: "
        f"{', '.join(data.REGRESSION_DATASETS)}; classification: {', '.join(data.CLASSIFICATION_DATASETS)}",
    )
    p.add_argument("--n", type=_samples, default=200, help=f"samples (default 200, at most {MAX_SAMPLES})")
    p.add_argument(
        "--noise", type=nonneg_float, default=None, help="noise std (default: the data set's, 0.05 for sine)"
    )
    p.add_argument(
        "--test-n",
        type=_samples,
        default=1000,
        help="held-out samples for the test accuracy, --task classify only (default 1000)",
    )
    p.add_argument(
        "--sizes",
        type=sizes,
        default=[32, 32],
        help=f"hidden layer sizes, e.g. 32,32 (default), each at most {MAX_LAYER_SIZE}; "
        "the output layer is added",
    )
    p.add_argument(
        "--activation", choices=list(nn.ACTIVATIONS), default="tanh", help="hidden activation (default tanh)"
    )
    p.add_argument(
        "--init", default=None, help="initializer name (default: the activation's, e.g. he_uniform for relu)"
    )
    p.add_argument("--lr", type=positive_float, default=0.05, help="learning rate (default 0.05)")
    p.add_argument("--momentum", type=nonneg_float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--epochs", type=positive_int, default=1000, help="epochs (default 1000)")
    p.add_argument(
        "--batch-size", type=positive_int, default=None, help="mini-batch size (default: full batch)"
    )
    p.add_argument("--seed", type=nonneg_int, default=0, help="seed (default 0)")
    p.add_argument(
        "--out",
        help="folder for model.npz, and with matplotlib loss.png and fit.png "
        "(decision-boundary.png with --task classify)",
    )
    p.add_argument(
        "--show-code",
        action="store_true",
        help="print the Python that microgradx.compile generated for one training step (regression)",
    )
    _progress_arguments(p)


def _training_line(args: argparse.Namespace, loss: str = "") -> str:
    """The "training: ..." line both train tasks print."""
    return (
        f"training: {loss}SGD lr {args.lr:g}, momentum {args.momentum:g}, {args.epochs} epochs, "
        f"batch {'full' if args.batch_size is None else args.batch_size}, seed {args.seed}"
    )


def _diverged(prog: str, history: Sequence[float], bad: int, lr: float) -> int:
    """Say on stderr where training diverged and what to try; the exit code 1."""
    print(
        f"{prog}: training diverged at epoch {bad} (loss {history[bad]:.4g}, first epoch "
        f"{history[0]:.4g}): lr {lr:g} is too large here; try --lr {lr / 5:g}",
        file=sys.stderr,
    )
    return 1


def _layer_table(net: Any, X: np.ndarray, y: np.ndarray, loss: Any) -> None:
    """Print the per-layer table of the trained net on the whole training set, both gauges.

    One forward and backward pass (`diagnostics.record_backward`) at the final weights, so the
    backward signal mean|∂L/∂z| and ‖∂L/∂W‖ are measured together, not left from the last step.
    """
    from microgradx import diagnostics

    net.zero_grad()
    rec, _ = diagnostics.record_backward(net, X, y, loss=loss)
    print("per layer, on the training data (one forward and backward pass at the final weights):")
    print(rec.table())


@command("train", arguments=_train_arguments)
def cmd_train(args: argparse.Namespace) -> int:
    """Train an MLP on a toy data set.

    Train an MLP on a built-in toy data set and report per-layer diagnostics; with --task classify,
    train a classifier with cross-entropy and report its accuracy.
    """
    import microgradx as mgx
    from microgradx import data, init, nn, optim
    from microgradx.demo import loss_and_fit_plots, mse
    from microgradx.train import diverged

    prog = args.prog
    if args.init is not None:
        try:
            validation.choice(args.init, init.INITIALIZERS, "initializer")
        except ValueError as err:
            raise UsageError(f"{prog}: error: argument --init: {err}") from None
    if args.task == "classify":
        return _train_classifier(args)
    args.data = "sine" if args.data is None else args.data
    if args.data not in data.REGRESSION_DATASETS:
        raise UsageError(
            f"{prog}: error: {args.data!r} is a classification data set; add --task classify, or pick "
            f"one of {', '.join(data.REGRESSION_DATASETS)}"
        )
    if args.noise is None:
        from microgradx.classification import dataset_noise

        args.noise = dataset_noise(args.data)
    out = None if args.out is None else output_dir(prog, args.out)
    gen = np.random.default_rng(args.seed)
    X, y = data.get(args.data, n=args.n, noise=args.noise, rng=gen)
    net = nn.MLP(X.shape[1], [*args.sizes, y.shape[1]], activation=args.activation, init=args.init, rng=gen)
    try:
        opt = optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    except ValueError as err:  # SGD's own checks of its hyper-parameters
        raise UsageError(f"{prog}: error: {err}") from None
    init_name = args.init or nn.default_init(args.activation)
    print(f"data: {args.data}, X {X.shape}, y {y.shape}, noise std {args.noise:g}")
    print(
        f"model: MLP({X.shape[1]}, {[*args.sizes, y.shape[1]]}, activation={args.activation!r}), "
        f"init {init_name}, {sum(p.size for p in net.parameters())} parameters"
    )
    print(_training_line(args))
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
            progress=args.progress,
        )
        final = mse(net, X, y)
    bad = diverged(history)
    if bad is not None or not math.isfinite(final):
        return _diverged(prog, history, len(history) - 1 if bad is None else bad, args.lr)
    print(f"final MSE: {final:.6f} (first epoch {history[0]:.6f})")
    _layer_table(net, X, y, mgx.mse_loss)
    if out is not None:
        written = loss_and_fit_plots(out, X, y, net, history, "train")
        mgx.save(net.state_dict(), out / "model.npz")
        written.append(out / "model.npz")
        print(f"files in {out.resolve()}: {', '.join(p.name for p in written)}")
    if args.show_code:  # the same step fit compiled: same model, loss and batch shape
        rows = X.shape[0] if args.batch_size is None else min(args.batch_size, X.shape[0])
        xt, yt = mgx.Tensor(X[:rows]), mgx.Tensor(y[:rows])
        step = mgx.compile(lambda: mgx.mse_loss(net(xt), yt))
        step()
        print(f"\nthe code mgx.compile generated for one training step (batch of {rows}), as fit ran it:")
        print(step.code)
    return 0


#: The options of ``train --task classify`` passed to `train_classifier` as they are (same names).
_CLASSIFIER_OPTIONS = (
    "n",
    "noise",
    "test_n",
    "sizes",
    "activation",
    "init",
    "lr",
    "momentum",
    "epochs",
    "batch_size",
    "seed",
    "progress",
)


def _train_classifier(args: argparse.Namespace) -> int:
    """``microgradx train --task classify``: `microgradx.classification.train_classifier`, printed."""
    import microgradx as mgx
    from microgradx import classification, data, nn

    prog = args.prog
    name = "moons" if args.data is None else args.data
    if name not in data.CLASSIFICATION_DATASETS:
        raise UsageError(
            f"{prog}: error: {name!r} is a regression data set; with --task classify pick one of "
            f"{', '.join(data.CLASSIFICATION_DATASETS)}"
        )
    out = None if args.out is None else output_dir(prog, args.out)
    try:
        run = classification.train_classifier(
            name, **{option: getattr(args, option) for option in _CLASSIFIER_OPTIONS}
        )
    except ValueError as err:  # SGD's own checks of its hyper-parameters, and the data set's
        raise UsageError(f"{prog}: error: {err}") from None
    net, history = run.model, run.history
    out_sizes = [*args.sizes, run.classes]
    counts = ", ".join(str(c) for c in np.bincount(run.y, minlength=run.classes))
    print(
        f"data: {name}, X {run.X.shape}, y {run.y.shape} class indices, {run.classes} classes "
        f"({counts} samples), noise std {run.noise:g}"
    )
    print(
        f"model: MLP(2, {out_sizes}, activation={args.activation!r}), init "
        f"{args.init or nn.default_init(args.activation)}, {sum(p.size for p in net.parameters())} "
        f"parameters; the {run.classes} outputs are logits"
    )
    print(_training_line(args, "cross-entropy, "))
    if run.diverged_at is not None:
        return _diverged(prog, history, run.diverged_at, args.lr)
    print(
        f"final cross-entropy: {history[-1]:.6f} (first epoch {history[0]:.6f}; ln {run.classes} = "
        f"{math.log(run.classes):.6f} is a uniform guess)"
    )
    for what, X, y in (("train", run.X, run.y), ("held-out", run.X_test, run.y_test)):
        right = int(np.sum(classification.predict(net, X) == y))
        print(f"{what} accuracy: {100 * right / len(y):.1f} % ({right}/{len(y)})")
    _layer_table(net, run.X, run.y, mgx.cross_entropy)
    if out is not None:
        from microgradx.lab.plots import Plotter

        plots = Plotter(out, "")
        plots.curves(
            "loss", {"training loss": history}, "train: cross-entropy per epoch", ylabel="cross-entropy"
        )
        written = list(plots.files)
        if written:  # matplotlib is there (else Plotter printed its one notice)
            path = classification.plot_decision_boundary(
                net,
                run.X,
                run.y,
                out / "decision-boundary.png",
                title=f"{name}: decision boundary of MLP(2, {out_sizes}) (training data)",
                notice=False,
            )
            written += [] if path is None else [path]
        mgx.save(net.state_dict(), out / "model.npz")
        written.append(out / "model.npz")
        print(f"files in {out.resolve()}: {', '.join(p.name for p in written)}")
    return 0


# ---------------------------------------------------------------------------- graph
def _named_network(args: argparse.Namespace) -> Any:
    """``args.name``'s network of `microgradx.lab.networks`, built; None after printing ``--list``."""
    from microgradx.lab import networks

    prog = args.prog
    if args.list:
        print(networks.describe())
        return None
    if not args.name:
        raise UsageError(f"{prog}: error: name a network ({prog} --list shows them)")
    try:
        return networks.build(args.name)
    except ValueError as err:
        raise UsageError(f"{prog}: error: {err}") from None


def _graph_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="network name")
    p.add_argument("--list", action="store_true", help="list the networks")
    p.add_argument(
        "--out", help="output file: .svg (default graph-NAME.svg), .png, .jpg, .pdf (system Graphviz) or .dot"
    )


@command("graph", arguments=_graph_arguments)
def cmd_graph(args: argparse.Namespace) -> int:
    """Draw a small named network (--list shows them).

    Draw the computation graph of a small network of the notes after backward, and print its
    backward pass step by step.
    """
    import microgradx as mgx
    from microgradx.viz.render import SUFFIX_FORMATS, RendererError

    prog = args.prog
    net = _named_network(args)
    if net is None:
        return 0
    out = pathlib.Path(args.out if args.out is not None else f"graph-{args.name}.svg")
    if out.suffix.lower() not in SUFFIX_FORMATS:
        raise UsageError(
            f"{prog}: error: argument --out: unsupported file type "
            f"{out.suffix or '(none)'!r} in {str(out)!r}; expected one of {', '.join(SUFFIX_FORMATS)}"
        )
    out = output_file(prog, out)
    print(net.description)
    # runs backward(), recording each step; marks hidden units with equal gradients
    print(mgx.trace_backward(net.loss, model=net.model, units=net.units or None))
    # Why a parameter's gradient is zero, None, not finite or tiny (dead-relu's are): `mgx.why`.
    found = [mgx.why(net.loss, t, model=net.model) for t in net.tensors.values() if t.requires_grad]
    found = [d for d in found if d.verdict != "ok"]
    if found:
        print(f"\nwhy: {found[0]}")
        same = [d.wrt for d in found[1:] if d.verdict == found[0].verdict]
        if same:
            names = mgx.tensor_names(net.loss, model=net.model)
            print(f"why: the same for {', '.join(names[t] for t in same)} ({found[0].verdict}).")
        for d in found[1:]:
            if d.verdict != found[0].verdict:
                print(f"why: {d}")
    try:
        path = mgx.render_graph(net.loss, out, model=net.model, **net.draw_options)
    except (RendererError, OSError) as err:
        raise UsageError(f"{prog}: error: cannot write {str(out)!r}: {err}") from None
    print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------- step
def _step_arguments(p: argparse.ArgumentParser) -> None:
    from microgradx.viz.orders import ORDERS

    p.add_argument("name", nargs="?", help="network name (as for microgradx graph; --list shows them)")
    p.add_argument("--list", action="store_true", help="list the networks")
    p.add_argument("--out", help="output file, .html (default backprop-NAME.html)")
    p.add_argument(
        "--order",
        choices=["topological", "naive", *ORDERS],
        default="topological",
        help="the backward order to watch: the engine's (topological, default) or a naive one "
        "learners propose (naive or pre-order: depth-first with a visited set; no-visited: without one)",
    )


@command("step", arguments=_step_arguments)
def cmd_step(args: argparse.Namespace) -> int:
    """Write a player that steps through a named network's forward and backward pass.

    Write one self-contained HTML file (no network, no kernel) that steps through the forward pass
    and then the backward pass of a small network of the notes, one op at a time: each box fills in
    its value, then its gradient, and the caption quotes the chain-rule product. With --order
    pre-order or no-visited, watch a naive order go wrong instead.
    """
    import microgradx as mgx

    prog = args.prog
    net = _named_network(args)
    if net is None:
        return 0
    out = pathlib.Path(args.out if args.out is not None else f"backprop-{args.name}.html")
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"{prog}: error: argument --out: expected an .html file, got {str(out)!r}")
    out = output_file(prog, out)
    print(net.description)
    if args.order == "topological":
        stepper = mgx.step_backward(net.loss, model=net.model)
    else:
        order = "pre-order" if args.order == "naive" else args.order
        report = mgx.compare_orders(net.loss, order=order, model=net.model)
        print(report)
        stepper = report.stepper()
    try:
        path = stepper.save(out)
    except OSError as err:
        raise UsageError(f"{prog}: error: cannot write {str(out)!r}: {_reason(err)}") from None
    forward = sum(f.kind == "forward" for f in stepper.frames)
    print(
        f"wrote {path}: {len(stepper)} frames ({forward} forward, {len(stepper) - forward} backward); "
        "open it in a browser and press → to step"
    )
    return 0


# ---------------------------------------------------------------------------- activations
def _activations_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", metavar="NAME", help="activations (default: all)")
    p.add_argument(
        "--points",
        type=points,
        default=[-3.0, -1.0, 0.0, 1.0, 3.0],
        help="comma-separated points, e.g. --points -2,0,2 or --points=-2,0,2 (default -3,-1,0,1,3)",
    )
    p.add_argument("--out", help="folder for one PNG per activation")


@command("activations", arguments=_activations_arguments)
def cmd_activations(args: argparse.Namespace) -> int:
    """Values and derivatives of the activations.

    Print each activation's formula, derivative and a table of values and derivatives; with --out,
    plot each with its derivative.
    """
    from microgradx.lab import catalog

    prog = args.prog
    names = args.names or list(catalog.ACTIVATION_INFO)
    for name in names:
        try:
            validation.choice(name, catalog.ACTIVATION_INFO, "activation")
        except ValueError as err:
            raise UsageError(f"{prog}: error: {err}") from None
    out = None if args.out is None else output_dir(prog, args.out)
    for name in names:
        info = catalog.ACTIVATION_INFO[name]
        print(f"{name}: {info.formula};  derivative: {info.derivative};  range {info.range}")
    print()
    print(catalog.table(names, args.points))
    if out is not None:
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
    """The ``microgradx`` parser: one subparser per registered `Command`."""
    parser = _Parser(
        prog="microgradx",
        description="A from-scratch autograd engine for learning "
        "backpropagation: demos, the lab of the lecture notes, training, graphs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for cmd in COMMANDS.values():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.description)
        cmd.arguments(p)
        p.set_defaults(func=cmd.run, prog=p.prog)
    return parser


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """``["--points", "-2,0,2"]`` -> ``["--points=-2,0,2"]``: argparse would take "-2,0,2" for an option."""
    joined: list[str] = []
    args = list(argv)
    k = 0
    while k < len(args):
        arg = args[k]
        if arg in _NEGATIVE_VALUE_OPTIONS and k + 1 < len(args) and args[k + 1].startswith("-"):
            joined.append(f"{arg}={args[k + 1]}")
            k += 2
            continue
        joined.append(arg)
        k += 1
    return joined


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``parser.parse_args``, accepting ``--points -2,0,2`` (a value starting with "-")."""
    return parser.parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 training diverged, 2 bad usage)."""
    parser = build_parser()
    try:
        args = parse_args(parser, argv)
        return int(args.func(args) or 0)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
