"""The benchmark's tasks, run for a few steps, with every number the engine produced: the reference
that a faster engine must reproduce bit for bit (``tests/test_engine_reference.py``).

The saved file ``tests/data/engine_reference.npz`` was written by the engine *before* the speed
work of issue 13, never by the code under test: run this file with the old engine on the path,

    PYTHONPATH=/path/to/old/checkout python tests/engine_reference.py tests/data/engine_reference.npz

`run_all` returns ``{key: ndarray}``: per task the loss of every step, every parameter after the
last step, and the ``.grad`` of every tensor of the last step's graph (intermediates too), in the
order of `microgradx.autograd.topological_order`.
"""

from __future__ import annotations

import itertools
import platform
import sys

import numpy as np

STEPS = 5


def _mlp_data(sizes, batch, dtype, seed=0):
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype))
        biases.append(rng.uniform(-0.1, 0.1, fan_out).astype(dtype))
    if sizes[0] == 1:
        x = np.linspace(-1.0, 1.0, batch).reshape(-1, 1)
        y = np.sin(3.0 * x)
    else:
        x = rng.standard_normal((batch, sizes[0]))
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return weights, biases, x.astype(dtype), y.astype(dtype)


def _graph_grads(mgx, loss):
    from microgradx.autograd import topological_order

    return [t.grad for t in topological_order(loss) if t.grad is not None]


def raw_mlp(mgx, sizes, batch, dtype, activation, lr=0.01):
    """The benchmark's raw-tensor step (``h @ W + b``, activation, mse_loss, SGD by hand)."""
    weights, biases, x, y = _mlp_data(sizes, batch, dtype)
    Ws = [mgx.Tensor(w, requires_grad=True) for w in weights]
    bs = [mgx.Tensor(b, requires_grad=True) for b in biases]
    params = Ws + bs
    X, Y = mgx.Tensor(x), mgx.Tensor(y)
    act = getattr(mgx, activation)
    out: dict[str, np.ndarray] = {}
    losses = []
    for _ in range(STEPS):
        for p in params:
            p.grad = None
        h = X
        for i in range(len(Ws)):
            h = h @ Ws[i] + bs[i]
            if i < len(Ws) - 1:
                h = act(h)
        loss = mgx.mse_loss(h, Y)
        loss.backward()
        losses.append(loss.data.copy())
        grads = _graph_grads(mgx, loss)
        for p in params:
            p.data -= lr * p.grad
    out["losses"] = np.array(losses)
    for i, p in enumerate(params):
        out[f"param{i}"] = p.data
    for i, g in enumerate(grads):
        out[f"grad{i}"] = g
    return out


def nn_mlp(mgx, sizes, batch, dtype, activation, lr=0.01):
    """``nn.MLP`` with ``optim.SGD``: what users write."""
    from microgradx.nn import MLP
    from microgradx.optim import SGD

    weights, biases, x, y = _mlp_data(sizes, batch, dtype)
    model = MLP(sizes[0], list(sizes[1:]), activation=activation)
    for layer, w, b in zip(model.layers, weights, biases, strict=True):
        layer.weight.data = w.copy()
        layer.bias.data = b.copy()
    opt = SGD(model.parameters(), lr=lr, momentum=0.9)
    X, Y = mgx.Tensor(x), mgx.Tensor(y)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = mgx.mse_loss(model(X), Y)
        loss.backward()
        losses.append(loss.data.copy())
        grads = _graph_grads(mgx, loss)
        opt.step()
    out = {"losses": np.array(losses)}
    for i, p in enumerate(model.parameters()):
        out[f"param{i}"] = p.data
    for i, g in enumerate(grads):
        out[f"grad{i}"] = g
    return out


def chain(mgx, depth=2000, y0=0.5, a=1.0001, c=0.0001):
    """T3, shortened: ``depth`` × y = tanh(y·a + c), and every gradient along it."""
    x = mgx.Tensor(y0, requires_grad=True)
    y = x
    for _ in range(depth):
        y = (y * a + c).tanh()
    y.backward()
    grads = _graph_grads(mgx, y)
    return {"value": y.data, "grads": np.array(grads)}


def run_all(mgx) -> dict[str, np.ndarray]:
    tasks = {
        "T1-f64": lambda: raw_mlp(mgx, (1, 32, 32, 1), 64, "float64", "tanh"),
        "T1-f32": lambda: raw_mlp(mgx, (1, 32, 32, 1), 64, "float32", "tanh"),
        "T2-small": lambda: raw_mlp(mgx, (50, 40, 30, 10), 32, "float32", "relu"),
        "T1-nn-f64": lambda: nn_mlp(mgx, (1, 32, 32, 1), 64, "float64", "tanh"),
        "T2-nn-small": lambda: nn_mlp(mgx, (50, 40, 30, 10), 32, "float32", "relu"),
        "T3-short": lambda: chain(mgx),
    }
    out: dict[str, np.ndarray] = {}
    for key, fn in tasks.items():
        for name, value in fn().items():
            out[f"{key}/{name}"] = np.asarray(value)
    return out


def machine() -> dict[str, str]:
    """What bitwise equality of BLAS results depends on: NumPy's version and the processor."""
    return {"numpy": np.__version__, "machine": platform.machine()}


if __name__ == "__main__":
    import microgradx

    result = run_all(microgradx)
    for k, v in machine().items():
        result[f"meta/{k}"] = np.array(v)
    np.savez(sys.argv[1], **result)
    print(f"wrote {len(result)} arrays from the engine at {microgradx.__file__}")
