"""`mgx.compile`: the replayed step computes eager mode's numbers bit for bit, keeps every
intermediate's gradient, re-traces on a new signature and falls back to eager (with a warning)
where a trace cannot see what the step does.

The oracle is eager mode itself run from the same start (checked against PyTorch, HIPS autograd
and central differences elsewhere), plus one check against central differences here.
"""

import gc
import itertools
import warnings

import numpy as np
import pytest
from oracles import central_diff

import microgradx as mgx
from microgradx.autograd import topological_order
from microgradx.nn import ACTIVATIONS, MLP
from microgradx.optim import SGD

LOSSES = {
    "mse": (None, lambda rng, n: rng.normal(size=(n, 2))),
    "bce": ("sigmoid", lambda rng, n: rng.integers(0, 2, (n, 2)).astype(float)),
    "bce_with_logits": (None, lambda rng, n: rng.integers(0, 2, (n, 2)).astype(float)),
    "cross_entropy": (None, lambda rng, n: np.eye(2)[rng.integers(0, 2, n)]),
}
LOSS_FN = {
    "mse": mgx.mse_loss,
    "bce": mgx.binary_cross_entropy,
    "bce_with_logits": mgx.binary_cross_entropy_with_logits,
    "cross_entropy": mgx.cross_entropy,
}
SGD_CONFIGS = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "nesterov": True},
    {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
    {"weight_decay": 0.1},
]


def _setup(activation, loss, dtype="float64", seed=0, n=8):
    rng = np.random.default_rng(seed)
    out_act, target = LOSSES[loss]
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=out_act, rng=seed)
    if dtype != "float64":
        model.to(dtype)
    x = mgx.Tensor(rng.normal(size=(n, 3)) * 2.0, dtype=dtype)
    y = mgx.Tensor(target(rng, n), dtype=dtype)
    return model, x, y


def _graph(loss, intermediates_only=False):
    """Every tensor's values and gradient, in topological order (or only those made by ops)."""
    return [
        (t.data.copy(), None if t.grad is None else t.grad.copy())
        for t in topological_order(loss)
        if t._ctx is not None or not intermediates_only
    ]


def _assert_same(a, b):
    assert len(a) == len(b)
    for (va, ga), (vb, gb) in zip(a, b, strict=True):
        assert va.dtype == vb.dtype and np.array_equal(va, vb, equal_nan=True)
        assert (ga is None) == (gb is None)
        if ga is not None:
            assert ga.dtype == gb.dtype and np.array_equal(ga, gb, equal_nan=True)


def _train(activation, loss, sgd, compiled, steps=4, dtype="float64"):
    model, x, y = _setup(activation, loss, dtype)
    opt = SGD(model.parameters(), lr=0.1, **sgd)
    fn = LOSS_FN[loss]

    def step_fn():
        return fn(model(x), y)

    step = mgx.compile(step_fn) if compiled else None
    graphs = []
    rng = np.random.default_rng(1)
    for _ in range(steps):
        x.data = (rng.normal(size=x.shape) * 2.0).astype(dtype)  # a new batch each step
        opt.zero_grad()
        if step is not None:
            L = step()
        else:
            L = step_fn()
            L.backward()
        graphs.append(_graph(L))
        opt.step()
    return graphs, [p.data.copy() for p in model.parameters()], step


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_bitwise_equal_to_eager_for_every_activation_and_loss(activation, loss):
    eager, p_eager, _ = _train(activation, loss, {"momentum": 0.9}, compiled=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback
        comp, p_comp, step = _train(activation, loss, {"momentum": 0.9}, compiled=True)
    assert step.fallback is None and len(step.plans) == 1
    for a, b in zip(eager, comp, strict=True):
        _assert_same(a, b)
    for a, b in zip(p_eager, p_comp, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "sgd", SGD_CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "plain"
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bitwise_equal_to_eager_for_every_sgd_configuration(sgd, dtype):
    eager, p_eager, _ = _train("tanh", "mse", sgd, compiled=False, dtype=dtype)
    comp, p_comp, _ = _train("tanh", "mse", sgd, compiled=True, dtype=dtype)
    for a, b in zip(eager, comp, strict=True):
        _assert_same(a, b)
    for a, b in zip(p_eager, p_comp, strict=True):
        assert a.dtype == np.dtype(dtype) and np.array_equal(a, b)


def _raw_chain_step():
    """A hand-built graph with a reused tensor, broadcasting, constants and a float32 cast."""
    w = mgx.Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True, name="w")
    b = mgx.Tensor(np.array([[0.5], [-0.25]]), requires_grad=True, name="b")
    s = mgx.Tensor(np.float32(1.5), requires_grad=True, name="s")
    x = mgx.Tensor(np.arange(24.0).reshape(4, 2, 3) / 10)

    def step_fn():
        h = (x * w + b).tanh()  # w broadcast over the first axis, b over two
        h2 = h * h + h / 2.0 - h.sigmoid() * s  # h used four times; s float32 into float64
        return (h2.sum(axis=0).mean() + (w**2).sum()) * 0.5

    return step_fn, (w, b, s)


def test_a_graph_with_reuse_broadcasting_and_casts():
    fn, params = _raw_chain_step()
    L = fn()
    L.backward()
    eager = [p.grad.copy() for p in params]
    want = _graph(L)
    for p in params:
        p.grad = None
    step = mgx.compile(fn)
    for _ in range(3):  # trace, then replays
        for p in params:
            p.grad = None
        L2 = step()
        _assert_same(want, _graph(L2))
        for p, g in zip(params, eager, strict=True):
            assert p.grad.dtype == g.dtype and np.array_equal(p.grad, g)


def test_gradients_agree_with_central_differences():
    model, x, y = _setup("elu", "mse")
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    step()  # the trace
    model.zero_grad()
    step()  # a replay
    W = model.layers[1].weight

    def f(w):
        saved = W.data
        W.data = w
        with mgx.no_grad():
            out = mgx.mse_loss(model(x), y).data
        W.data = saved
        return out

    numeric = central_diff(f, [W.data.copy()], 0, np.array(1.0))
    np.testing.assert_allclose(W.grad, numeric, rtol=1e-6, atol=1e-8)


def test_gradients_accumulate_across_calls_as_in_eager():
    fn, params = _raw_chain_step()
    for _ in range(3):
        fn().backward()
    eager = [p.grad.copy() for p in params]
    for p in params:
        p.grad = None
    step = mgx.compile(fn)
    for _ in range(3):
        step()
    for p, g in zip(params, eager, strict=True):
        assert np.array_equal(p.grad, g)


def test_every_intermediate_is_fresh_and_a_kept_loss_stays_valid():
    model, x, y = _setup("tanh", "mse")
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    L1 = step()
    step()  # the trace, then L2 by replay
    L2 = step()
    first = _graph(L2, intermediates_only=True)
    model.zero_grad()
    L3 = step()
    assert L3 is not L2 and L3._ctx is not L2._ctx
    _assert_same(first, _graph(L2, intermediates_only=True))  # the next step overwrote nothing
    grads = [t.grad for t in topological_order(L3) if t.grad is not None]
    for g, h in itertools.combinations(grads, 2):  # no two tensors share a .grad array
        assert not np.shares_memory(g, h)
    ids = {id(t.grad) for t in topological_order(L3) if t.grad is not None and t._ctx is not None}
    assert not ids & {id(t.grad) for t in topological_order(L2) if t.grad is not None}
    assert L1.op == "mse_loss" and L1.grad is not None


def test_a_compiled_loss_is_an_ordinary_graph():
    model, x, y = _setup("relu", "mse")
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    step()
    L = step()
    names = mgx.tensor_names(L, model=model)
    assert {"W1", "b1", "z1", "a1", "ŷ", "L"} <= set(names.values())
    assert mgx.trace_backward(L)[0].op == "mse_loss"


def test_the_code_reads_as_the_chain_rule():
    model, x, y = _setup("tanh", "mse")
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    assert step.code is None
    step()
    code = step.code
    assert code.startswith("def compiled_step(x, W1, b1, W2, b2, W3, b3, y):")
    for line in (
        "z1 = node(Add.forward(",
        "a1 = node(Tanh.forward(",
        "dL_dz1 = Tanh.backward(ctx_a1, dL_da1)",
    ):
        assert line in code, line
    assert "x._data.shape != (8, 3)" in code  # a guard
    assert "add_reduce(" in code  # the bias gradients summed over the batch
    compile(code, "<generated>", "exec")  # the builtin: valid Python


def test_a_new_shape_or_dtype_traces_again():
    model, x, y = _setup("tanh", "mse")
    fn = lambda: mgx.mse_loss(model(x), y)  # noqa: E731
    step = mgx.compile(fn)
    step()
    step()
    assert len(step.plans) == 1
    rng = np.random.default_rng(3)
    for n in (5, 8, 5):  # a smaller last batch, then back
        x.data, y.data = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
        model.zero_grad()
        L = step()
        got = _graph(L)
        model.zero_grad()
        L = fn()
        L.backward()
        _assert_same(_graph(L), got)
    assert len(step.plans) == 2
    model.to("float32")
    x.data, y.data = x.data.astype("float32"), y.data.astype("float32")
    assert step().dtype == np.float32
    assert len(step.plans) == 3


def _fallback_cases():
    w = mgx.Tensor([1.0, 2.0], requires_grad=True, name="w")
    outside = w * 3.0

    def makes_a_tensor():
        return (w * mgx.Tensor([0.5, 0.25])).sum()

    def array_operand():
        return (w * np.array([0.5, 0.25])).sum()

    def assigns_data():
        w.data = np.array([1.0, 2.0])
        return (w * w).sum()

    def under_no_grad():
        with mgx.no_grad():
            c = w * 2.0
        return (w * c).sum()

    def calls_backward():
        (w * w).sum().backward()
        return (w * w).sum()

    def in_place():
        h = w * 2.0
        h._data[0] += 1.0  # the array itself (reading .data would be caught as a read already)
        return (h * h).sum()

    def outside_graph():
        return (outside * w).sum()

    def branches_on_a_value():
        h = w * 2.0
        return (h * h).sum() if h.data[0] > 0 else h.sum()

    def item_in_python():
        return (w * w).sum() * 1.0 if (w * w).sum().item() < 100 else (w * w).sum()

    return w, {
        "a tensor was made from data": makes_a_tensor,
        "a tensor was made from data ": array_operand,
        ".data was assigned": assigns_data,
        "no_grad": under_no_grad,
        "backward() was called": calls_backward,
        "changed in place": in_place,
        "from outside the step": outside_graph,
        "values were read in Python": branches_on_a_value,
        "values were read in Python ": item_in_python,
    }


@pytest.mark.parametrize("case", list(_fallback_cases()[1]))
def test_untraceable_steps_fall_back_to_eager_with_a_warning(case):
    w, cases = _fallback_cases()
    fn = cases[case]
    fn().backward()
    want = w.grad.copy()
    w.grad = None
    step = mgx.compile(fn)
    with pytest.warns(RuntimeWarning, match=case.strip().replace("(", r"\(").replace(")", r"\)")):
        step()
    assert np.array_equal(w.grad, want)
    assert step.fallback is not None and step.code is None
    w.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        step()
    assert np.array_equal(w.grad, want)


def test_bad_step_functions_are_named():
    with pytest.raises(TypeError, match="step_fn must be a function"):
        mgx.compile(3)
    with pytest.raises(TypeError, match="must return a Tensor, got float"):
        mgx.compile(lambda: 1.0)()
    w = mgx.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"one-element loss, got shape \(2,\)"):
        mgx.compile(lambda: w * 2.0)()
    with pytest.raises(ValueError, match="does not require grad"):
        mgx.compile(lambda: mgx.Tensor(1.0) * 2.0)()


def test_memory_stays_flat_over_1000_steps():
    model, x, y = _setup("tanh", "mse")
    opt = SGD(model.parameters(), lr=0.01)
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    for _ in range(5):
        opt.zero_grad()
        step()
        opt.step()
    gc.collect()
    gc.disable()
    try:
        live = lambda: sum(1 for o in gc.get_objects() if issubclass(type(o), mgx.Tensor))  # noqa: E731
        before = live()
        for _ in range(1000):
            opt.zero_grad()
            step()
            opt.step()
        after = live()
    finally:
        gc.enable()
    assert after == before


def test_constants_of_the_trace_are_frozen_as_documented():
    w = mgx.Tensor(1.0, requires_grad=True)
    scale = itertools.count(1)
    step = mgx.compile(lambda: w * float(next(scale)))
    assert step().item() == 1.0
    assert step().item() == 1.0  # the Python number the trace saw, not 2.0


def test_two_leaves_of_one_add_get_their_own_gradient_arrays():
    a = mgx.Tensor([1.0, 2.0], requires_grad=True)
    b = mgx.Tensor([3.0, 4.0], requires_grad=True)
    step = mgx.compile(lambda: ((a + b) * 2.0).sum())
    for _ in range(2):  # the trace, then a replay
        a.grad = b.grad = None
        step()
        assert not np.shares_memory(a.grad, b.grad)
        a.grad += 1.0  # would change b.grad too if they shared an array
        assert np.array_equal(b.grad, [2.0, 2.0])


# ---------------------------------------------------------------- fit(compile=True)
def _fit(compile_, batch_size=None, activation="tanh", epochs=6, **kw):
    X, y = mgx.data.sine(n=30, noise=0.1, rng=0)
    model = MLP(1, [8, 8, 1], activation=activation, rng=0)
    history = mgx.fit(
        model,
        X,
        y,
        lr=0.05,
        epochs=epochs,
        batch_size=batch_size,
        rng=0,
        progress=False,
        compile=compile_,
        **kw,
    )
    return history, [p.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("batch_size", [None, 8])  # 8: a smaller last batch of 6, a second plan
def test_fit_compiles_by_default_and_gives_the_same_numbers(batch_size, monkeypatch):
    import sys

    made = []
    module = sys.modules["microgradx.compile"]
    real = module.compile
    monkeypatch.setattr(module, "compile", lambda fn: made.append(real(fn)) or made[-1])
    h_compiled, p_compiled = _fit(True, batch_size)
    assert len(made) == 1 and made[0].fallback is None
    assert len(made[0].plans) == (1 if batch_size is None else 2)
    h_eager, p_eager = _fit(False, batch_size)
    assert len(made) == 1  # compile=False: never compiled
    assert h_compiled == h_eager
    for a, b in zip(p_compiled, p_eager, strict=True):
        assert np.array_equal(a, b)


def test_fit_runs_models_that_are_not_static_eagerly(monkeypatch):
    import sys

    from microgradx.train import _is_static

    monkeypatch.setattr(sys.modules["microgradx.compile"], "compile", lambda fn: pytest.fail("compiled"))
    X, y = mgx.data.sine(n=10, rng=0)
    own = MLP(1, [4, 1], activation=lambda z: z.tanh() * 2.0, rng=0)
    assert not _is_static(own)
    mgx.fit(own, X, y, epochs=2, progress=False)
    assert _is_static(MLP(1, [4, 1], rng=0)) and _is_static(
        mgx.nn.Sequential(mgx.nn.Layer(1, 2), mgx.nn.Tanh())
    )


def test_the_trace_keeps_no_copy_of_the_inputs():
    # Naming the trace reads .data of unnamed leaves, which keeps a copy for the in-place check;
    # like a backward pass, the trace checks and drops it.
    w = mgx.Tensor(np.ones((3, 2)), requires_grad=True)
    x, y = mgx.Tensor(np.ones((8, 3))), mgx.Tensor(np.zeros((8, 2)))
    step = mgx.compile(lambda: mgx.mse_loss(x @ w, y))
    step()
    assert all(t._snap is None for t in (x, y, w))


def test_freezing_a_parameter_traces_again_and_no_grad_is_refused():
    model, x, y = _setup("tanh", "mse")
    fn = lambda: mgx.mse_loss(model(x), y)  # noqa: E731
    step = mgx.compile(fn)
    step()
    W1 = model.layers[0].weight
    W1.requires_grad = False
    model.zero_grad()
    got = _graph(step())
    assert len(step.plans) == 2 and W1.grad is None
    model.zero_grad()
    L = fn()
    L.backward()
    _assert_same(_graph(L), got)
    with pytest.raises(RuntimeError, match="inside no_grad"), mgx.no_grad():
        step()


def test_the_performance_page_shows_the_code_t1_generates():
    import pathlib
    import re

    page = pathlib.Path(__file__).parents[1] / "docs" / "performance.md"
    shown = re.search(r"```py\n(def compiled_step\(.*?)```", page.read_text(encoding="utf-8"), re.S).group(1)
    net = MLP(1, [32, 32, 1], activation="tanh", rng=0)
    x, y = mgx.Tensor(np.linspace(-1, 1, 64).reshape(-1, 1)), mgx.Tensor(np.zeros((64, 1)))
    step = mgx.compile(lambda: mgx.mse_loss(net(x), y))
    step()
    assert step.code == shown


def test_fit_with_class_indices_and_cross_entropy_gives_the_same_numbers():
    X, y = mgx.data.moons(n=40, rng=0)
    runs = []
    for compile_ in (True, False):
        model = MLP(2, [6, 2], activation="relu", rng=0)
        h = mgx.fit(
            model,
            X,
            y,
            loss="cross_entropy",
            lr=0.1,
            epochs=4,
            batch_size=16,
            rng=0,
            progress=False,
            compile=compile_,
        )
        runs.append((h, [p.data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        assert np.array_equal(a, b)


def test_why_counts_one_backward_pass_of_a_compiled_loss():
    model, x, y = _setup("tanh", "mse")
    step = mgx.compile(lambda: mgx.mse_loss(model(x), y))
    for _ in range(2):  # the trace, then a replay
        model.zero_grad()
        L = step()
        assert L._ctx.backward_runs == 1
        assert mgx.why(L, model.layers[0].weight).verdict == "ok"
