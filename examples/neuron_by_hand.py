"""One neuron traced by hand: a = g(w1·x1 + w2·x2 + b), the notes' first formula, with explain.

    python examples/neuron_by_hand.py                       # g = sigmoid
    python examples/neuron_by_hand.py --activation relu --out results/

Prints the chain rule ∂a/∂w1 = ∂a/∂z · ∂z/∂(w1·x1) · ∂(w1·x1)/∂w1 with every number, checks it
against the formula written by hand (σ(z)(1 − σ(z))·x1 for sigmoid) and against backward(),
and draws the neuron's graph into --out (default: a fresh temporary directory).
"""

from __future__ import annotations

import math
import pathlib
import sys
import tempfile

try:
    import microgradx as mgx
except ImportError:  # run from a source checkout that is not installed
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    import microgradx as mgx

from microgradx import cli

# g'(z) written by hand, as the notes derive each one
HAND_DERIVATIVE = {
    "sigmoid": lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
    "tanh": lambda z: 1 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: 1.0 if z > 0 else 0.01,
    "elu": lambda z: 1.0 if z > 0 else math.exp(z),
    "selu": lambda z: mgx.SELU_SCALE if z > 0 else mgx.SELU_SCALE * mgx.SELU_ALPHA * math.exp(z),
}


def main(argv: list[str] | None = None) -> float:
    p = cli.script_parser(__doc__)
    p.add_argument(
        "--activation", choices=list(HAND_DERIVATIVE), default="sigmoid", help="g (default sigmoid)"
    )
    p.add_argument(
        "--x", type=cli.finite_float, nargs=2, default=[2.0, -1.0], metavar=("X1", "X2"), help="the inputs"
    )
    p.add_argument(
        "--w", type=cli.finite_float, nargs=2, default=[0.5, -0.3], metavar=("W1", "W2"), help="the weights"
    )
    p.add_argument("--b", type=cli.finite_float, default=0.1, help="the bias (default 0.1)")
    p.add_argument("--out", default=None, help="output directory (default: a new temporary directory)")
    args = p.parse_args(argv)
    out = cli.output_dir(p.prog, args.out or tempfile.mkdtemp(prefix="microgradx-neuron-"))

    x1, x2 = mgx.Tensor(args.x[0], name="x1"), mgx.Tensor(args.x[1], name="x2")
    w1 = mgx.Tensor(args.w[0], requires_grad=True, name="w1")
    w2 = mgx.Tensor(args.w[1], requires_grad=True, name="w2")
    b = mgx.Tensor(args.b, requires_grad=True, name="b")
    z = w1 * x1 + w2 * x2 + b
    z.name = "z"
    a = getattr(mgx, args.activation)(z)
    a.name = "a"

    print(
        f"a = {args.activation}(w1·x1 + w2·x2 + b) with x = ({args.x[0]:g}, {args.x[1]:g}), "
        f"w = ({args.w[0]:g}, {args.w[1]:g}), b = {args.b:g}"
    )
    print(f"z = {z.item():.4f}, a = {a.item():.4f}\n")
    e = mgx.explain(a, w1)
    print(e, end="\n\n")

    by_hand = HAND_DERIVATIVE[args.activation](z.item()) * args.x[0]
    a.backward()
    print(f"by hand: ∂a/∂w1 = g'(z)·x1 = {by_hand:.4f}")
    print(
        f"explain: {e.value:.4f}   backward(): w1.grad = {float(w1.grad):.4f}, "
        f"w2.grad = {float(w2.grad):.4f}, b.grad = {float(b.grad):.4f}"
    )
    assert math.isclose(e.value, by_hand, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(float(w1.grad), by_hand, rel_tol=1e-12, abs_tol=1e-15)

    path = mgx.render_graph(a, out / "neuron.svg")
    print(f"wrote {path}")
    return e.value


if __name__ == "__main__":
    sys.exit(cli.run_script(main))
