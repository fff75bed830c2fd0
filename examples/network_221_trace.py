"""The notes' 2-2-1 regression network traced step by step with trace_backward.

    python examples/network_221_trace.py [--out DIR]

Two inputs, two sigmoid hidden nodes, one linear output, L = (ŷ − y)², written with scalar
weights w_ij (input i -> hidden node j) as the notes draw it. Prints the backward pass one op
at a time (upstream gradient, local derivative, what goes to each parent), then checks three
weights against the notes' chain rule written out by hand:

    ∂L/∂w11 = ∂L/∂ŷ · ∂ŷ/∂a11 · ∂a11/∂z11 · ∂z11/∂w11 = 2(ŷ − y) · v1 · a11(1 − a11) · x1

Writes the graph (SVG) into --out (default: a fresh temporary directory).
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


def build():
    """Forward pass of the 2-2-1 network; returns the loss and the tensors by name."""
    T = mgx.Tensor
    t = {"x1": T(0.5, name="x1"), "x2": T(-1.0, name="x2"), "y": T(1.0, name="y")}
    for name, value in (
        ("w11", 0.4),
        ("w21", -0.6),
        ("w12", 0.3),
        ("w22", 0.8),
        ("b11", 0.1),
        ("b12", -0.2),
        ("v1", 0.7),
        ("v2", -0.5),
        ("c", 0.05),
    ):
        t[name] = T(value, requires_grad=True, name=name)
    z11 = t["w11"] * t["x1"] + t["w21"] * t["x2"] + t["b11"]
    z12 = t["w12"] * t["x1"] + t["w22"] * t["x2"] + t["b12"]
    z11.name, z12.name = "z11", "z12"
    a11, a12 = mgx.sigmoid(z11), mgx.sigmoid(z12)
    a11.name, a12.name = "a11", "a12"
    y_hat = t["v1"] * a11 + t["v2"] * a12 + t["c"]
    y_hat.name = "ŷ"
    loss = (y_hat - t["y"]) ** 2
    loss.name = "L"
    t.update(z11=z11, z12=z12, a11=a11, a12=a12, y_hat=y_hat, L=loss)
    return loss, t


def main(argv: list[str] | None = None) -> dict[str, float]:
    p = cli.script_parser(__doc__)
    p.add_argument("--out", default=None, help="output directory (default: a new temporary directory)")
    args = p.parse_args(argv)
    out = cli.output_dir(p.prog, args.out or tempfile.mkdtemp(prefix="microgradx-221-"))

    loss, t = build()
    print(
        f"forward: z11 = {t['z11'].item():.4f}, a11 = {t['a11'].item():.4f}, "
        f"z12 = {t['z12'].item():.4f}, a12 = {t['a12'].item():.4f}, ŷ = {t['y_hat'].item():.4f}, "
        f"L = {loss.item():.4f}\n"
    )
    steps = mgx.trace_backward(loss)
    print(steps, end="\n\n")

    d_yhat = 2 * (t["y_hat"].item() - t["y"].item())
    a11, a12 = t["a11"].item(), t["a12"].item()
    by_hand = {
        "v1": d_yhat * a11,
        "w11": d_yhat * t["v1"].item() * a11 * (1 - a11) * t["x1"].item(),
        "w22": d_yhat * t["v2"].item() * a12 * (1 - a12) * t["x2"].item(),
    }
    for name, value in by_hand.items():
        grad = float(t[name].grad)
        print(f"∂L/∂{name}: by hand {value:.4f}, trace_backward {grad:.4f}")
        assert math.isclose(grad, value, rel_tol=1e-12)
    path = mgx.render_graph(loss, out / "network-221.svg")
    print(f"\n{len(steps)} backward steps; wrote {path}")
    return {name: float(t[name].grad) for name in by_hand}


if __name__ == "__main__":
    sys.exit(cli.run_script(main))
