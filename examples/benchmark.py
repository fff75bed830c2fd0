"""Speed benchmark: microgradx side by side with hand-written NumPy (the floor) and other engines.

Three tasks, every implementation starting from the same weights:

- **T1** a toy regressor, MLP 1→32→32→1 with tanh, batch 64, one SGD step (float64 and float32).
  Small arrays: the cost is per-op overhead (dispatch, graph bookkeeping), not arithmetic.
- **T2** MLP 784→256→256→10 with ReLU, batch 128, float32, one SGD step: BLAS dominates.
- **T3** a deep scalar chain, 100,000 × ``y = tanh(y·1.0001 + 0.0001)``, forward and backward:
  300,000 tiny ops, so only the per-op overhead counts (and the depth breaks recursive engines).

The *floor* is the same network's forward and backward written out by hand in NumPy, with no
autograd at all: what an autograd engine in NumPy can at best approach. PyTorch (eager, CPU),
HIPS ``autograd`` and Karpathy's ``micrograd`` are timed too when they are installed, and skipped
when they are not.

Method: each task runs in a fresh Python process (``--no-isolate``: all in this one), so that
the heap one task leaves behind does not shape the next one's timings. Within a task all
implementations live in that one process and are timed in alternating blocks (the order
rotates every round), so a slow minute of the machine hits them all alike; the table shows the
median time per step over the rounds and its ratio to the floor. Before timing, the first loss
(T3: the gradient) of every implementation must agree with the floor's, or the run stops.
BLAS runs single-threaded unless ``--threads N`` says otherwise.

Not a row of the table, measured once by hand: `explain` on a 100,000-op scalar chain
(alternating ``y·1.0001`` and ``y + 0.001``) took 206 s before issue 9 item 14, because the partial
path was copied at every step (quadratic in depth); it now takes about 5 s of CPU for `explain`
and its printed text together (4.4 s + 0.8 s on an idle 2-core machine; ``backward`` on the same
chain: 0.3 s). ``tests/test_explain.py::test_explain_on_a_100k_op_chain_takes_seconds`` (slow)
pins it.

Usage::

    python examples/benchmark.py                 # the full table (about four minutes)
    python examples/benchmark.py --quick         # tiny sizes, a smoke test (seconds)
    python examples/benchmark.py --json out.json --threads 2 --tasks T1-f64,T3
"""

from __future__ import annotations

import argparse
import os
import sys

# ---------------------------------------------------------------- threads, before NumPy loads
# BLAS reads these variables once, when NumPy is first imported; threadpoolctl (if installed)
# also limits an already-loaded BLAS, which is what happens when this file is imported.
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_from_argv(argv: list[str]) -> int:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1]) if argv[i + 1].isdigit() else 1
        if arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
            return int(value) if value.isdigit() else 1
    return 1


if __name__ == "__main__":
    for _var in _THREAD_VARS:
        os.environ[_var] = str(_threads_from_argv(sys.argv[1:]))

import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

try:
    import resource
except ImportError:  # pragma: no cover
    resource = None
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import microgradx as mgx  # noqa: E402

Step = Callable[[], float]


# ====================================================================== the tasks
@dataclass
class MLPTask:
    """An MLP regression step: layer sizes, hidden activation, batch, dtype, learning rate."""

    key: str
    title: str
    sizes: tuple[int, ...]
    activation: str  # "tanh" or "relu" on hidden layers; the last layer is linear
    batch: int
    dtype: str
    block: int  # steps per timed block
    warmup: int = 20  # untimed steps before the first block
    # Timed blocks per implementation. T2 takes more: its ratios sit near 1, where the machine's
    # run-to-run spread (±2 %) is as large as the differences measured, and its steps are short.
    rounds: int = 15
    lr: float = 0.01
    seed: int = 0

    def data(self) -> dict[str, Any]:
        """Initial weights, inputs and targets (NumPy, in ``dtype``); every implementation copies them."""
        rng = np.random.default_rng(self.seed)
        weights, biases = [], []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            limit = math.sqrt(6.0 / (fan_in + fan_out))  # Xavier/Glorot uniform
            weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)))
            biases.append(rng.uniform(-0.1, 0.1, fan_out))
        if self.sizes[0] == 1:  # T1: fit sin(3x) on [-1, 1]
            x = np.linspace(-1.0, 1.0, self.batch).reshape(-1, 1)
            y = np.sin(3.0 * x)
        else:  # T2: random inputs, one-hot targets
            x = rng.standard_normal((self.batch, self.sizes[0]))
            y = np.eye(self.sizes[-1])[rng.integers(0, self.sizes[-1], self.batch)]
        cast = lambda a: np.ascontiguousarray(a, dtype=self.dtype)  # noqa: E731
        return {
            "weights": [cast(w) for w in weights],
            "biases": [cast(b) for b in biases],
            "x": cast(x),
            "y": cast(y),
        }


@dataclass
class ChainTask:
    """T3: ``depth`` × y = tanh(y·a + c) from y0, forward and backward; the result is dy/dy0."""

    key: str
    title: str
    depth: int
    block: int = 1
    warmup: int = 0  # the first-result check already ran one step
    rounds: int = 5  # timed blocks (one step each: a step takes seconds)
    y0: float = 0.5
    a: float = 1.0001
    c: float = 0.0001
    dtype: str = "float64"


def make_tasks(quick: bool) -> list[MLPTask | ChainTask]:
    if quick:  # tiny sizes: every code path, in seconds
        return [
            MLPTask(
                "T1-f64",
                "T1 MLP 1-8-8-1 tanh, batch 16, float64",
                (1, 8, 8, 1),
                "tanh",
                16,
                "float64",
                5,
                warmup=1,
            ),
            MLPTask(
                "T1-f32",
                "T1 MLP 1-8-8-1 tanh, batch 16, float32",
                (1, 8, 8, 1),
                "tanh",
                16,
                "float32",
                5,
                warmup=1,
            ),
            MLPTask(
                "T2",
                "T2 MLP 20-16-16-10 relu, batch 8, float32",
                (20, 16, 16, 10),
                "relu",
                8,
                "float32",
                5,
                warmup=1,
            ),
            ChainTask("T3", "T3 chain of 300 x tanh(y*1.0001+0.0001)", 300),
        ]
    return [
        MLPTask(
            "T1-f64", "T1 MLP 1-32-32-1 tanh, batch 64, float64", (1, 32, 32, 1), "tanh", 64, "float64", 200
        ),
        MLPTask(
            "T1-f32", "T1 MLP 1-32-32-1 tanh, batch 64, float32", (1, 32, 32, 1), "tanh", 64, "float32", 200
        ),
        MLPTask(
            "T2",
            "T2 MLP 784-256-256-10 relu, batch 128, float32",
            (784, 256, 256, 10),
            "relu",
            128,
            "float32",
            10,
            rounds=41,
        ),
        ChainTask("T3", "T3 chain of 100,000 x tanh(y*1.0001+0.0001)", 100_000),
    ]


class Unsupported(Exception):
    """An implementation that cannot run a task (e.g. micrograd has no float32)."""


# ====================================================================== the floor: NumPy by hand
def numpy_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    """Forward, backward and SGD written out by hand: the floor an autograd engine approaches."""
    Ws = [w.copy() for w in d["weights"]]
    bs = [b.copy() for b in d["biases"]]
    x, y = d["x"], d["y"]
    last = len(Ws) - 1
    relu = task.activation == "relu"
    lr, n = task.lr, y.size

    def step() -> float:
        inputs = []  # the input of every layer, for backward
        h = x
        for i in range(last + 1):
            inputs.append(h)
            h = h @ Ws[i] + bs[i]
            if i < last:
                h = np.maximum(h, 0) if relu else np.tanh(h)
        diff = h - y
        loss = np.mean(diff * diff)  # mse
        g = diff * (2.0 / n)  # ∂L/∂out
        for i in range(last, -1, -1):
            a = inputs[i]
            gW = a.T @ g
            gb = g.sum(axis=0)
            if i > 0:  # ∂L/∂(previous activation), then through it
                g = g @ Ws[i].T
                g = g * (a > 0) if relu else g * ((1.0 - a) * (1.0 + a))  # tanh' = 1 − a², as the engine
            Ws[i] -= lr * gW
            bs[i] -= lr * gb
        return float(loss)

    return step


def numpy_chain(task: ChainTask) -> Step:
    def step() -> float:
        a, c = task.a, task.c
        y = np.asarray(task.y0, dtype=task.dtype)
        outs = []
        for _ in range(task.depth):
            y = np.tanh(y * a + c)
            outs.append(y)
        g = 1.0
        for t in reversed(outs):  # d tanh(u)/du = 1 − tanh², du/dy = a
            g = g * ((1.0 - t) * (1.0 + t)) * a
        return float(g)

    return step


# ====================================================================== microgradx
def _raw_mlp(task: MLPTask, d: dict[str, Any]) -> tuple[list[mgx.Tensor], Callable[[], mgx.Tensor]]:
    """The task's MLP as raw tensors: its parameters and the loss, ``h @ W + b`` and activation."""
    Ws = [mgx.Tensor(w, requires_grad=True) for w in d["weights"]]
    bs = [mgx.Tensor(b, requires_grad=True) for b in d["biases"]]
    x, y = mgx.Tensor(d["x"]), mgx.Tensor(d["y"])
    act = mgx.relu if task.activation == "relu" else mgx.tanh
    last = len(Ws) - 1

    def forward() -> mgx.Tensor:
        h = x
        for i in range(last + 1):
            h = h @ Ws[i] + bs[i]
            if i < last:
                h = act(h)
        return mgx.mse_loss(h, y)

    return Ws + bs, forward


def _sgd_step(params: list[mgx.Tensor], lr: float, loss_and_grads: Callable[[], mgx.Tensor]) -> Step:
    """One step: clear the grads, get the loss with its gradients, SGD on ``.data`` by hand."""

    def step() -> float:
        for p in params:
            p.grad = None
        loss = loss_and_grads()
        for p in params:
            p.data -= lr * p.grad
        return loss.item()

    return step


def microgradx_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    """Raw tensors: ``h @ W + b``, activation, ``mse_loss``, SGD on ``.data`` by hand."""
    params, forward = _raw_mlp(task, d)

    def eager() -> mgx.Tensor:
        loss = forward()
        loss.backward()
        return loss

    return _sgd_step(params, task.lr, eager)


def microgradx_compiled_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    """The raw-tensor step with forward and backward through ``mgx.compile`` (traced once)."""
    params, forward = _raw_mlp(task, d)
    return _sgd_step(params, task.lr, mgx.compile(forward))


def microgradx_nn_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    """What users write: ``nn.MLP``, ``optim.SGD``, ``mse_loss``."""
    try:
        from microgradx.nn import MLP
        from microgradx.optim import SGD
    except ImportError as err:
        raise ImportError(f"microgradx.nn.MLP / microgradx.optim.SGD are not available ({err})") from None
    model = MLP(task.sizes[0], list(task.sizes[1:]), activation=task.activation)
    for layer, w, b in zip(model.layers, d["weights"], d["biases"], strict=True):
        layer.weight.data = w.copy()  # same start, and the task's dtype
        layer.bias.data = b.copy()
    opt = SGD(model.parameters(), lr=task.lr)
    x, y = mgx.Tensor(d["x"]), mgx.Tensor(d["y"])

    def step() -> float:
        opt.zero_grad()
        loss = mgx.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def microgradx_chain(task: ChainTask) -> Step:
    y0 = mgx.Tensor(task.y0, requires_grad=True, dtype=task.dtype)

    def step() -> float:
        a, c = task.a, task.c
        y0.grad = None
        y = y0
        for _ in range(task.depth):
            y = (y * a + c).tanh()
        y.backward()
        return float(y0.grad)

    return step


def microgradx_chain_gc_paused(task: ChainTask) -> Step:
    """T3 inside ``mgx.gc_paused()``: Python's cycle collector is paused for the step, which shows
    what its scans of a graph of 300,000 live objects cost. Nothing leaks: microgradx graphs have
    no cycles (tests/test_memory.py)."""
    step = microgradx_chain(task)

    def paused() -> float:
        with mgx.gc_paused():
            return step()

    return paused


# ====================================================================== PyTorch (eager, CPU)
def torch_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    import torch

    Ws = [torch.tensor(w, requires_grad=True) for w in d["weights"]]
    bs = [torch.tensor(b, requires_grad=True) for b in d["biases"]]
    x, y = torch.tensor(d["x"]), torch.tensor(d["y"])
    act = torch.relu if task.activation == "relu" else torch.tanh
    mse = torch.nn.functional.mse_loss
    opt = torch.optim.SGD(Ws + bs, lr=task.lr)
    last = len(Ws) - 1

    def step() -> float:
        opt.zero_grad()
        h = x
        for i in range(last + 1):
            h = h @ Ws[i] + bs[i]
            if i < last:
                h = act(h)
        loss = mse(h, y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_chain(task: ChainTask) -> Step:
    import torch

    y0 = torch.tensor(task.y0, dtype=getattr(torch, task.dtype), requires_grad=True)

    def step() -> float:
        a, c = task.a, task.c
        y0.grad = None
        y = y0
        for _ in range(task.depth):
            y = torch.tanh(y * a + c)
        y.backward()
        return float(y0.grad)

    return step


# ====================================================================== HIPS autograd
def autograd_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    import autograd.numpy as anp
    from autograd import value_and_grad

    params = [[w.copy(), b.copy()] for w, b in zip(d["weights"], d["biases"], strict=True)]
    x, y = d["x"], d["y"]
    act = (lambda z: anp.maximum(z, 0)) if task.activation == "relu" else anp.tanh
    last = len(params) - 1
    lr = task.lr

    def loss_fn(params):
        h = x
        for i, (W, b) in enumerate(params):
            h = anp.dot(h, W) + b
            if i < last:
                h = act(h)
        diff = h - y
        return anp.mean(diff * diff)

    loss_and_grad = value_and_grad(loss_fn)

    def step() -> float:
        loss, grads = loss_and_grad(params)
        for (W, b), (gW, gb) in zip(params, grads, strict=True):
            W -= lr * gW
            b -= lr * gb
        return float(loss)

    return step


def autograd_chain(task: ChainTask) -> Step:
    import autograd.numpy as anp
    from autograd import grad

    def f(y):
        for _ in range(task.depth):
            y = anp.tanh(y * task.a + task.c)
        return y

    df = grad(f)
    return lambda: float(df(np.asarray(task.y0, dtype=task.dtype)))


# ====================================================================== micrograd (scalar Values)
def _micrograd_tanh(v):
    """tanh for micrograd's Value (its PyPI release has only relu), in micrograd's own style."""
    from micrograd.engine import Value

    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


def micrograd_mlp(task: MLPTask, d: dict[str, Any]) -> Step:
    from micrograd.engine import Value

    if task.dtype != "float64":
        raise Unsupported("micrograd computes with Python floats (float64) only")
    Ws = [[[Value(float(v)) for v in row] for row in w] for w in d["weights"]]
    bs = [[Value(float(v)) for v in b] for b in d["biases"]]
    params = [v for w in Ws for row in w for v in row] + [v for b in bs for v in b]
    act = (lambda v: v.relu()) if task.activation == "relu" else _micrograd_tanh
    last = len(Ws) - 1
    xs, ys = d["x"].tolist(), d["y"].tolist()
    n = d["y"].size

    def step() -> float:
        for p in params:
            p.grad = 0
        loss = Value(0.0)
        for xrow, yrow in zip(xs, ys, strict=True):
            h = xrow
            for i in range(last + 1):
                h = [sum((h[k] * Ws[i][k][j] for k in range(len(h))), bs[i][j]) for j in range(len(bs[i]))]
                if i < last:
                    h = [act(v) for v in h]
            for out, target in zip(h, yrow, strict=True):
                loss = loss + (out - target) ** 2
        loss = loss * (1.0 / n)
        loss.backward()
        for p in params:
            p.data -= task.lr * p.grad
        return loss.data

    return step


def micrograd_chain(task: ChainTask) -> Step:
    from micrograd.engine import Value

    def step() -> float:
        y0 = Value(task.y0)
        y = y0
        for _ in range(task.depth):
            y = _micrograd_tanh(y * task.a + task.c)
        y.backward()  # recursive topological sort
        return float(y0.grad)

    return step


# ====================================================================== the line-up
@dataclass
class Impl:
    name: str
    module: str | None  # the optional package it needs (None: always there)
    mlp: Callable[..., Step] | None
    chain: Callable[..., Step] | None
    repeat: bool = True  # False: too slow to repeat; time one step, once


IMPLS = [
    Impl("numpy floor", None, numpy_mlp, numpy_chain),
    Impl("microgradx", None, microgradx_mlp, microgradx_chain),
    Impl("microgradx nn+optim", None, microgradx_nn_mlp, None),
    Impl("microgradx compiled", None, microgradx_compiled_mlp, None),
    Impl("microgradx gc_paused()", None, None, microgradx_chain_gc_paused),
    Impl("pytorch", "torch", torch_mlp, torch_chain),
    Impl("hips autograd", "autograd", autograd_mlp, autograd_chain),
    Impl("micrograd", "micrograd", micrograd_mlp, micrograd_chain, repeat=False),
]


@dataclass
class Result:
    name: str
    status: str = "ok"  # ok | skipped: … | failed: …
    first: float | None = None  # first loss (T3: the gradient)
    times: list[float] = field(default_factory=list)  # seconds per step, one per timed block
    faults: list[float] = field(default_factory=list)  # minor page faults per step, per block

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def _agree(a: float, b: float, dtype: str) -> bool:
    rtol = 1e-4 if dtype == "float32" else 1e-8
    return math.isfinite(a) and abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def _minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def _time_block(step: Step, n: int, clock: Callable[[], float] = time.perf_counter) -> tuple[float, float]:
    """Seconds per step and minor page faults per step (fresh memory from the OS) over ``n`` steps."""
    f0, t0 = _minor_faults(), clock()
    for _ in range(n):
        step()
    t1, f1 = clock(), _minor_faults()
    return (t1 - t0) / n, (f1 - f0) / n


def run_task(
    task: MLPTask | ChainTask,
    impls: list[Impl],
    rounds: int,
    log: Callable[[str], None],
    clock: Callable[[], float] = time.perf_counter,
) -> list[Result]:
    """Build every implementation, check first losses, warm up, then time alternating blocks."""
    data = task.data() if isinstance(task, MLPTask) else None
    steps: dict[str, Step] = {}
    results: list[Result] = []
    for impl in impls:
        res = Result(impl.name)
        results.append(res)
        factory = impl.mlp if isinstance(task, MLPTask) else impl.chain
        if factory is None:
            res.status = "skipped: not applicable"
            continue
        try:
            step = factory(task, data) if data is not None else factory(task)
        except (ImportError, Unsupported) as err:
            res.status = f"skipped: {err}"
            continue
        try:
            t0 = clock()
            res.first = step()
            once = clock() - t0
        except RecursionError:
            res.status = "failed: RecursionError"
            continue
        finally:
            gc.collect()  # micrograd leaves reference cycles behind
        if not impl.repeat:  # too slow to repeat: the first step is its time
            res.times = [once]
            continue
        steps[impl.name] = step
    floor = results[0].first
    for res in results:
        if res.first is not None and not _agree(res.first, floor, task.dtype):
            raise SystemExit(
                f"{task.key}: {res.name} starts at {res.first!r} but the floor at "
                f"{floor!r}: the implementations do not compute the same thing"
            )
    names = list(steps)
    for name in names:  # warm-up
        for _ in range(task.warmup):
            steps[name]()
    by_name = {res.name: res for res in results}
    for r in range(rounds):  # alternate, rotating who goes first
        k = r % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            seconds, faults = _time_block(steps[name], task.block, clock)
            by_name[name].times.append(seconds)
            by_name[name].faults.append(faults)
        log(".")
    return results


# ====================================================================== memory
def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _live_tensors() -> int:
    return sum(1 for o in gc.get_objects() if issubclass(type(o), mgx.Tensor))


MEMORY_IMPLS = (
    ("numpy floor", numpy_mlp),
    ("microgradx", microgradx_mlp),
    ("microgradx nn+optim", microgradx_nn_mlp),
    ("microgradx compiled", microgradx_compiled_mlp),
)


def measure_memory(t1: MLPTask, t2: MLPTask, steps: int) -> dict[str, Any]:
    """Memory of microgradx against the floor, measured two ways.

    - *flat*: resident memory and the number of live Tensors before and after ``steps`` T1
      steps, run with the cycle collector off: only reference counting frees anything, so a
      graph kept alive by accident (a cycle, a global tape) would show as growth.
    - *T2 peak* (tracemalloc, which sees NumPy's arrays): ``step`` is the peak of one step above
      what was allocated when it began (the arrays the step itself makes); ``total`` is the peak
      of everything training needs: data, weights, optimizer state and the step.
    """
    out: dict[str, Any] = {"steps": steps, "flat": {}, "t2_peak": {}}
    for name, factory in MEMORY_IMPLS[1:]:
        try:
            step = factory(t1, t1.data())
        except ImportError:
            continue
        for _ in range(10):
            step()
        gc.collect()
        gc.disable()
        try:
            # (the live count first: gc.get_objects() builds a list, which the RSS would include)
            live0 = _live_tensors()
            rss0 = _rss_bytes()
            for _ in range(steps):
                step()
            rss1, live1 = _rss_bytes(), _live_tensors()
        finally:
            gc.enable()
        out["flat"][name] = {
            "rss_before": rss0,
            "rss_after": rss1,
            "live_tensors_before": live0,
            "live_tensors_after": live1,
        }
    for name, factory in MEMORY_IMPLS:
        gc.collect()
        tracemalloc.start()
        try:
            step = factory(t2, t2.data())
        except ImportError:
            tracemalloc.stop()
            continue
        step()
        step()
        gc.collect()
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        step()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del step
        out["t2_peak"][name] = {"step": peak - start, "total": peak}
    return out


# ====================================================================== machine and report
def machine_info(threads: int) -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None)
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for p in threadpool_info()
        ]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    for mod in ("torch", "autograd", "micrograd"):
        try:
            m = __import__(mod)
            info[mod] = getattr(m, "__version__", "installed")
        except ImportError:
            info[mod] = None
    return info


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _ratio(res: Result, floor: Result) -> float | None:
    """Time relative to the floor: the median over rounds of the ratio within each round (both
    ran minutes apart at most), or the ratio of medians for a one-off measurement."""
    if not res.times or not floor.times:
        return None
    if len(res.times) == len(floor.times):
        return statistics.median(a / b for a, b in zip(res.times, floor.times, strict=True))
    return res.median / floor.median


def _fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"{'task':<48} {'implementation':<22} {'median/step':>12} {'vs floor':>9} {'vs torch':>9}  note",
        "-" * 110,
    ]
    for task in report["tasks"]:
        first = True
        for r in task["results"]:
            if r["status"].startswith("skipped: not applicable"):
                continue
            ratio = f"{r['ratio']:.2f}x" if r.get("ratio") else "-"
            ratio_torch = f"{r['ratio_to_pytorch']:.2f}x" if r.get("ratio_to_pytorch") else "-"
            note = "" if r["status"] == "ok" else r["status"]
            if r["status"] == "ok" and len(r["times"]) == 1 and task["rounds"] > 1:
                note = "one step, not repeated"
            elif (r.get("faults_per_step") or 0) >= 10:
                note = f"{r['faults_per_step']:.0f} page faults/step"
            lines.append(
                f"{task['title'] if first else '':<48} {r['name']:<22} "
                f"{_fmt_time(r['median']):>12} {ratio:>9} {ratio_torch:>9}  {note}"
            )
            first = False
    mem = report.get("memory")
    if mem:
        mib = _fmt_bytes
        lines += ["", f"memory over {mem['steps']} T1 steps, cycle collector off (refcounting alone):"]
        for name, m in mem["flat"].items():
            lines.append(
                f"  {name:<22} RSS {mib(m['rss_before'])} -> {mib(m['rss_after'])}, "
                f"live Tensors {m['live_tensors_before']} -> {m['live_tensors_after']}"
            )
        peaks = mem["t2_peak"]
        floor = peaks.get("numpy floor")
        lines.append("T2 peak memory (tracemalloc):  one step's own arrays   with data, weights, optimizer")
        for name, p in peaks.items():
            rel = (
                (f" ({p['step'] / floor['step']:.2f}x)", f" ({p['total'] / floor['total']:.2f}x)")
                if floor
                else ("", "")
            )
            lines.append(f"  {name:<22} {mib(p['step']) + rel[0]:>28}   {mib(p['total']) + rel[1]:>22}")
    return "\n".join(lines)


@contextlib.contextmanager
def _limit_threads(threads: int):
    """BLAS (through threadpoolctl, if installed) and torch use ``threads`` threads, then as before."""
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(ImportError):
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=threads))
        torch = sys.modules.get("torch") or _optional_import("torch")
        if torch is not None:
            before = torch.get_num_threads()
            torch.set_num_threads(threads)
            stack.callback(torch.set_num_threads, before)
        yield


def _optional_import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        return None


def _task_in_a_fresh_process(key: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one task as ``benchmark.py --tasks KEY --no-isolate`` in a child process; its report."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "task.json")
        cmd = [sys.executable, os.path.abspath(__file__), "--tasks", key, "--no-memory", "--no-isolate"]
        cmd += ["--threads", str(args.threads), "--clock", args.clock, "--json", out]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--rounds", str(args.rounds)] if args.rounds else []
        cmd += ["--skip", args.skip] if args.skip else []
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # (its progress goes to stderr)
        with open(out) as f:
            return json.load(f)["tasks"][0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few rounds (a smoke test)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    parser.add_argument("--rounds", type=int, default=None, help="timed blocks per implementation")
    parser.add_argument("--tasks", default="T1-f64,T1-f32,T2,T3", help="comma-separated task keys")
    parser.add_argument("--skip", default="", help="comma-separated implementation names to leave out")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: elapsed time (default); cpu: this process's CPU time, steadier on "
        "a busy machine (single-threaded runs only)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    parser.add_argument("--json", metavar="PATH", help="also write the raw numbers as JSON")
    parser.add_argument(
        "--isolate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run each task in a fresh Python process (default), so that the heap one task leaves "
        "behind (micrograd's millions of objects, say) does not shape the next task's timings; the "
        "implementations of a task still alternate side by side in that one process",
    )
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")

    def log(s: str) -> None:
        print(s, end="", flush=True, file=sys.stderr)

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    impls = [i for i in IMPLS if i.name not in skip]
    wanted = {k.strip() for k in args.tasks.split(",")}
    known = [t.key for t in make_tasks(args.quick)]
    if not wanted <= set(known):
        parser.error(f"--tasks: unknown task {sorted(wanted - set(known))}; expected some of {known}")
    tasks = [t for t in make_tasks(args.quick) if t.key in wanted]
    report: dict[str, Any] = {"quick": args.quick, "tasks": []}
    with _limit_threads(args.threads):
        report["machine"] = machine_info(args.threads)
        for task in tasks:
            if args.isolate and len(tasks) > 1:
                report["tasks"].append(_task_in_a_fresh_process(task.key, args))
                continue
            rounds = args.rounds or (2 if args.quick else task.rounds)
            log(f"{task.title} ")
            clock = time.perf_counter if args.clock == "wall" else time.process_time
            results = run_task(task, impls, rounds, log=log, clock=clock)
            torch = next((r for r in results if r.name == "pytorch" and r.times), None)
            log("\n")
            report["tasks"].append(
                {
                    "key": task.key,
                    "title": task.title,
                    "rounds": rounds,
                    "block": task.block,
                    "results": [
                        {
                            "name": r.name,
                            "status": r.status,
                            "first": r.first,
                            "times": r.times,
                            "median": r.median,
                            "ratio": _ratio(r, results[0]),
                            "ratio_to_pytorch": _ratio(r, torch) if torch else None,
                            "faults_per_step": statistics.median(r.faults) if r.faults else None,
                        }
                        for r in results
                    ],
                }
            )
        if not args.no_memory:
            all_tasks = {t.key: t for t in make_tasks(args.quick)}
            report["memory"] = measure_memory(
                all_tasks["T1-f64"], all_tasks["T2"], steps=50 if args.quick else 1000
            )
    m = report["machine"]
    print(
        f"Python {m['python']}, NumPy {m['numpy']}, torch {m['torch']}, {m.get('cpu')}, "
        f"{m['cpu_count']} cores, {args.threads} thread(s); BLAS {m['blas']}"
    )
    print(format_table(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == "__main__":
    main()
