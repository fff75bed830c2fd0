"""The demo behind ``microgradx demo``: train a toy regressor, draw one training step, trace one weight.

`run_demo` does the work and returns a `DemoResult` (the model, the loss history, the files it
wrote, the backward trace and the chain-rule text); the command line only prints it. Nothing here
re-implements the network: the chain rule is read off the real model's backward pass, recorded
by `microgradx.trace_backward` on one training example, and checked against ``.grad``.

    >>> from microgradx.demo import run_demo
    >>> result = run_demo(None, epochs=20, progress=False)       # doctest: +SKIP
    >>> result.final_mse < result.history[0]                     # doctest: +SKIP
    True
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .formatting import paren as _paren
from .formatting import product_texts

__all__ = ["DemoResult", "chain_rule_of_one_weight", "loss_and_fit_plots", "mse", "run_demo"]

#: The demo's setup, printed with its results.
N_SAMPLES, NOISE, HIDDEN, LR, MOMENTUM = 200, 0.05, 16, 0.05, 0.9


@dataclass
class DemoResult:
    """What `run_demo` made.

    Attributes:
        model: the trained ``MLP(1, [16, 1], activation='tanh')``.
        history: the training loss per epoch.
        final_mse: MSE of the trained model on the training data.
        setup: lines describing data, model and training (what the CLI prints first).
        trace: the recorded backward pass (`microgradx.viz.trace.Trace`) on one example.
        chain_rule: the chain rule of one weight on that example, with numbers and the check.
        files: every file written, in order.
        graph_error: why ``graph.svg`` was not written (a one-line message), or None.
    """

    model: Any
    history: list[float]
    final_mse: float
    setup: list[str]
    trace: Any
    chain_rule: str
    files: list[pathlib.Path] = field(default_factory=list)
    graph_error: str | None = None


def mse(net: Any, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of ``net`` on ``(X, y)``, computed without recording a graph."""
    import microgradx as mgx

    with mgx.no_grad():
        return float(np.mean((net(mgx.Tensor(X)).data - y) ** 2))


def loss_and_fit_plots(out: Any, X, y, net, history, title: str) -> list[pathlib.Path]:
    """``loss.png`` and (for 1-D inputs) ``fit.png`` in ``out``; nothing, after one notice, without matplotlib."""
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


def run_demo(
    out: str | pathlib.Path | None, *, epochs: int = 2000, seed: int = 0, progress: bool | None = None
) -> DemoResult:
    """Train ``MLP(1, [16, 1], tanh)`` on y = sin(πx) + noise and explain one of its weights.

    Args:
        out: folder for ``graph.svg`` (one training step after backward), ``backprop.html`` (the
            backward pass on one example, to step through in a browser), ``loss.png`` and
            ``fit.png`` (with matplotlib); created if missing. None writes nothing.
        epochs: full-batch SGD epochs (lr 0.05, momentum 0.9).
        seed: seed for the data and the initial weights.
        progress: the progress bar (None: only when stderr is a terminal).

    Raises:
        OSError: ``out`` cannot be created or written.
    """
    import microgradx as mgx
    from microgradx import data, nn, optim
    from microgradx.viz.render import RendererError

    outdir = None if out is None else pathlib.Path(out)
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
    X, y = data.sine(n=N_SAMPLES, noise=NOISE, rng=seed)
    net = nn.MLP(1, [HIDDEN, 1], activation="tanh", rng=seed)
    setup = [
        f"data: y = sin(πx) + noise (std {NOISE}), {N_SAMPLES} points, x in [−1, 1]",
        f"model: MLP(1, [{HIDDEN}, 1], activation='tanh'), xavier_uniform weights, zero biases "
        f"({sum(p.size for p in net.parameters())} parameters)",
        f"training: full-batch SGD, lr {LR}, momentum {MOMENTUM}, {epochs} epochs",
    ]
    opt = optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
    history = mgx.fit(net, X, y, optimizer=opt, epochs=epochs, progress=progress)
    result = DemoResult(net, history, mse(net, X, y), setup, None, "")

    if outdir is not None:
        loss = mgx.mse_loss(net(mgx.Tensor(X, name="X")), mgx.Tensor(y, name="y"))
        loss.name = "L"
        net.zero_grad()
        loss.backward()  # one training step's forward and backward, drawn with its gradients
        title = f"one training step: MSE of MLP(1, [{HIDDEN}, 1]) after backward"
        try:
            result.files.append(mgx.render_graph(loss, outdir / "graph.svg", model=net, title=title))
        except (RendererError, OSError) as err:
            result.graph_error = f"graph.svg not written: {err}"
        net.zero_grad()
        result.files += loss_and_fit_plots(outdir, X, y, net, history, "demo")

    result.trace, result.chain_rule = chain_rule_of_one_weight(net, X, y)
    if outdir is not None:
        result.files.append(write_player(net, X, y, outdir / "backprop.html"))
    return result


def write_player(net: Any, X: np.ndarray, y: np.ndarray, path: Any, i: int | None = None) -> pathlib.Path:
    """Save the backprop player (`microgradx.step_backward`) of ``net`` on example ``i`` to ``path``.

    The same example as `chain_rule_of_one_weight` (default ``len(X) // 4``), so the player's last
    frames show the gradients the printed chain rule computes. ``.grad`` is left as it was.
    """
    import microgradx as mgx

    i = len(X) // 4 if i is None else i
    y_hat = net(mgx.Tensor(X[i : i + 1], name="x"))
    y_hat.name = "ŷ"
    loss = mgx.mse_loss(y_hat, mgx.Tensor(y[i : i + 1], name="y"))
    loss.name = "L"
    net.zero_grad()
    stepper = mgx.step_backward(loss, model=net)
    net.zero_grad()
    return stepper.save(path)


def chain_rule_of_one_weight(net: Any, X: np.ndarray, y: np.ndarray, i: int | None = None, j: int = 0):
    """The backward pass of ``net`` on example ``i``, and the chain rule of w = W1[0, j].

    ``net`` is an ``MLP(1, [H, 1], activation='tanh')``. On one example the weight w feeds only
    hidden unit j: z = x·w + b_j, a = tanh(z), ŷ = Σ_k v_k·a_k + c, L = (ŷ − y)² (the MSE of one
    example). So ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w = 2(ŷ − y) · v_j · (1 − a²) · x, each factor
    evaluated on the real model's forward values; the product is then checked against the gradient
    the recorded backward pass (`microgradx.trace_backward`) leaves in ``layers.0.weight.grad``.
    The weights are called as the trace calls them (`microgradx.tensor_names`: ``W1``, ``W2``), and
    the printed factors multiply to the printed product (`microgradx.formatting.product_texts`).

    Returns:
        ``(trace, text)``: the `Trace` of that backward pass and the chain rule as text.
    """
    import microgradx as mgx

    i = len(X) // 4 if i is None else i
    first, last = net.layers[0], net.layers[-1]
    x, target = mgx.Tensor(X[i : i + 1], name="x"), mgx.Tensor(y[i : i + 1], name="y")
    y_hat = net(x)
    y_hat.name = "ŷ"
    loss = mgx.mse_loss(y_hat, target)
    loss.name = "L"
    net.zero_grad()
    trace = mgx.trace_backward(loss, model=net)
    backward_value = float(first.weight.grad[0, j])
    net.zero_grad()

    (hidden,) = [s.node for s in trace if s.op == "tanh"]  # the hidden layer's a, shape (1, H)
    a = float(hidden.data[0, j])
    xi, yi, yh = float(X[i, 0]), float(y[i, 0]), float(y_hat.data[0, 0])
    v = float(last.weight.data[j, 0])
    factors = [2 * (yh - yi), v, 1 - a * a, xi]
    product = float(np.prod(factors))
    texts, shown, exact = product_texts(factors, product)
    names = mgx.tensor_names(loss, model=net)
    w_name, v_name = names[first.weight], names[last.weight]
    unit = j + 1
    lines = [
        f"chain rule for one weight: w = {w_name}[0, {j}] (input x → hidden unit {unit}), "
        f"on example {i}: x = {xi:.4f}, y = {yi:.4f}, loss L = (ŷ − y)²",
        f"  z = x·w + b, a = tanh(z), ŷ = v·a + (the other {len(first.bias.data) - 1} units and the "
        f"output bias, constant with respect to w)",
        "  ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w  (one factor per op on the path from L to w)",
        f"    ∂L/∂ŷ = 2(ŷ − y)  = 2·({yh:.4f} − {_paren(yi)}) = {factors[0]:.4f}",
        f"    ∂ŷ/∂a = v         = {v_name}[{j}, 0] = {factors[1]:.4f}",
        f"    ∂a/∂z = 1 − tanh²(z) = 1 − a² = 1 − {_paren(a)}² = {factors[2]:.4f}",
        f"    ∂z/∂w = x         = {factors[3]:.4f}",
        f"  ∂L/∂w = {shown}  (= {' · '.join(f'({t})' if t.startswith('-') else t for t in texts)}"
        f"{'' if exact else ', computed before rounding'})",
        f"check: backward() through the whole network (the trace above) gives ∂L/∂w = {backward_value:.4f}",
    ]
    return trace, "\n".join(lines)
