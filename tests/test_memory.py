"""Memory: a finished graph is freed by reference counting alone, so training loops stay flat.

No reference cycle may join a tensor, its op context and what the context saved, and no global
tape may keep graphs alive: then the last reference to a loss going away frees the whole graph
at once, without waiting for Python's cycle collector. The tests switch the collector off and
count live objects, so they are deterministic (no timing, no resident-memory readings).
"""

import gc
import itertools
import weakref

import numpy as np
import pytest

import microgradx as mgx


@pytest.fixture
def no_cycle_collector():
    """Run the test with the cycle collector off: only reference counting frees anything."""
    gc.collect()
    with mgx.gc_paused():  # restores the collector's state after the test (tests/test_collector.py)
        yield


def _live(kind) -> int:
    # gc.get_objects() lists live container objects without collecting anything.
    return sum(1 for o in gc.get_objects() if issubclass(type(o), kind))


def _raw_mlp_step(dtype="float64"):
    """One training step of a 1-16-16-1 tanh regressor with raw tensors (no nn, no optim)."""
    rng = np.random.default_rng(0)
    sizes = [1, 16, 16, 1]
    Ws = [
        mgx.Tensor(rng.uniform(-0.5, 0.5, (m, n)), requires_grad=True, dtype=dtype)
        for m, n in itertools.pairwise(sizes)
    ]
    bs = [mgx.Tensor(np.zeros(n), requires_grad=True, dtype=dtype) for n in sizes[1:]]
    x = mgx.Tensor(np.linspace(-1, 1, 32).reshape(-1, 1), dtype=dtype)
    y = mgx.Tensor(np.sin(3 * x.data), dtype=dtype)

    def step():
        for p in Ws + bs:
            p.grad = None
        h = x
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            h = h @ W + b
            if i < len(Ws) - 1:
                h = h.tanh()
        loss = mgx.mse_loss(h, y)
        loss.backward()
        with mgx.no_grad():
            for p in Ws + bs:
                p.data -= 0.05 * p.grad
        return loss.item()

    return step


def test_raw_training_loop_keeps_live_tensors_flat(no_cycle_collector):
    step = _raw_mlp_step()
    first = [step() for _ in range(10)]
    before = _live(mgx.Tensor)
    last = [step() for _ in range(300)]
    assert _live(mgx.Tensor) == before
    assert last[-1] < first[0]  # it did train


def test_float32_training_loop_keeps_live_tensors_flat(no_cycle_collector):
    step = _raw_mlp_step("float32")
    for _ in range(10):
        step()
    before = _live(mgx.Tensor), _live(mgx.Function)
    for _ in range(300):
        step()
    assert (_live(mgx.Tensor), _live(mgx.Function)) == before


def test_nn_training_loop_keeps_live_tensors_flat(no_cycle_collector):
    nn = pytest.importorskip("microgradx.nn")
    optim = pytest.importorskip("microgradx.optim")
    if not hasattr(nn, "MLP") or not hasattr(optim, "SGD"):
        pytest.skip("microgradx.nn.MLP / microgradx.optim.SGD not available")
    model = nn.MLP(1, [16, 16, 1], activation="tanh", rng=0)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = mgx.Tensor(np.linspace(-1, 1, 32).reshape(-1, 1))
    y = mgx.Tensor(np.sin(3 * x.data))

    def step():
        opt.zero_grad()
        loss = mgx.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(10):
        step()
    before = _live(mgx.Tensor), _live(mgx.Function)
    for _ in range(300):
        step()
    assert (_live(mgx.Tensor), _live(mgx.Function)) == before


def _graph():
    x = mgx.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = mgx.Tensor([[0.5], [0.1], [-0.3]], requires_grad=True)
    h = (x.reshape(1, 3) @ w + 1.0).sigmoid()  # every kind of saved state: inputs, outputs
    loss = (h * h).sum() - h.mean().log()
    return x, w, h, loss


@pytest.mark.parametrize("run_backward", [False, True], ids=["forward-only", "after-backward"])
def test_graph_is_freed_by_refcounting_alone(no_cycle_collector, run_backward):
    x, _w, h, loss = _graph()
    if run_backward:
        loss.backward()
        assert h.grad is not None and x.grad is not None
    probes = [weakref.ref(h), weakref.ref(h._ctx), weakref.ref(loss), weakref.ref(loss._ctx)]
    del h, loss
    assert [p() for p in probes] == [None] * len(probes)
    assert x.grad is None or x.grad.shape == (3,)  # the leaves and their .grad survive


def test_no_grad_results_keep_no_graph(no_cycle_collector):
    x = mgx.Tensor([1.0, 2.0], requires_grad=True)
    with mgx.no_grad():
        y = (x * 2.0).tanh()
    assert y._ctx is None and not y.requires_grad


@pytest.mark.slow
def test_a_100000_op_chain_is_freed_without_recursion(no_cycle_collector):
    # Freeing a chain releases one node after the other; it must neither hit the recursion
    # limit nor overflow the C stack, and must leave nothing behind.
    y0 = mgx.Tensor(0.5, requires_grad=True)
    y = y0
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert float(y0.grad) == 1.0
    probe = weakref.ref(y._ctx.parents[0])
    before = _live(mgx.Tensor)
    del y
    assert probe() is None
    assert _live(mgx.Tensor) <= before - 200_000  # every output and every constant 1.0
