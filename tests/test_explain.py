"""`explain`: the chain rule written out per path. Checked against hand formulas (math module),
central differences of NumPy references, and PyTorch; never against microgradx's own backward."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from graphs import neuron
from oracles import SPECS, central_diff

import microgradx as mgx
from microgradx.viz.explain import explain
from microgradx.viz.names import MAX_EXPRESSION


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def f4(v):
    return f"{v:.4f}"


# ------------------------------------------------------------------ the notes' neuron
def test_single_neuron_factors_match_the_hand_derivation():
    loss, t = neuron()
    z = 0.5 * 2.0 - 0.5
    a = sigmoid(z)
    expected = [
        ("∂L/∂a", "2·a^(2−1)", 2 * a),
        ("∂a/∂z", "σ(z)(1−σ(z))", a * (1 - a)),
        ("∂z/∂(w1·x1)", "1", 1.0),
        ("∂(w1·x1)/∂w1", "x1", 2.0),
    ]
    e = explain(loss, t["w1"])
    assert len(e.paths) == 1
    factors = e.paths[0].factors
    assert [(f.symbol, f.rule) for f in factors] == [(s, r) for s, r, _ in expected]
    assert [f.label for f in factors][1] == "∂a/∂z = σ(z)(1−σ(z))"
    for f, (_, _, value) in zip(factors, expected, strict=True):
        assert f.value == pytest.approx(value, rel=1e-12)
    dw = 2 * a * a * (1 - a) * 2.0
    assert e.value == pytest.approx(dw, rel=1e-12)
    assert e.paths[0].value == pytest.approx(dw, rel=1e-12)
    line = (
        "∂L/∂w1 = ∂L/∂a · ∂a/∂z · ∂z/∂(w1·x1) · ∂(w1·x1)/∂w1 = "
        f"({f4(2 * a)}) · ({f4(a * (1 - a))}) · (1.0000) · (2.0000) = {f4(dw)}"
    )
    assert line in str(e)
    assert "(1.2449) · (0.2350) · (1.0000) · (2.0000) = 0.5851" in str(e)
    assert "∂a/∂z        = σ(z)(1−σ(z)) = 0.2350" in str(e)


def test_explain_needs_no_backward_and_changes_no_grad():
    loss, t = neuron()
    explain(loss, t["w1"])
    assert all(v.grad is None for v in [*t.values(), loss])
    loss.backward()
    before = {k: None if v.grad is None else v.grad.copy() for k, v in t.items()}
    explain(loss, t["b"])
    explain(loss, t["x1"])
    for k, v in t.items():
        if before[k] is None:
            assert v.grad is None, k
        else:
            np.testing.assert_array_equal(v.grad, before[k])


@pytest.mark.torch
def test_neuron_against_pytorch_for_every_input():
    torch = pytest.importorskip("torch")
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    tz = tw * tx + tb
    tz.retain_grad()
    (torch.sigmoid(tz) ** 2).backward()
    loss, t = neuron()
    for name, ref in [("w1", tw), ("x1", tx), ("b", tb), ("z", tz)]:
        assert explain(loss, t[name]).value == pytest.approx(ref.grad.item(), rel=1e-12), name


# ------------------------------------------------------------------ several paths
def test_variable_used_twice_gives_two_paths():
    x = mgx.Tensor(3.0, requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    e = explain(y, x)
    assert len(e.paths) == 2
    assert [p.value for p in e.paths] == [3.0, 3.0] and e.value == 6.0
    assert "(operand 1 of mul)" in str(e) and "(operand 2 of mul)" in str(e)
    assert "sum over the 2 paths: ∂y/∂x = (3.0000) + (3.0000) = 6.0000" in str(e)


@pytest.mark.torch
def test_many_paths_sum_to_the_pytorch_gradient():
    torch = pytest.importorskip("torch")

    def f(lib, x, w):
        tanh = torch.tanh if lib is torch else (lambda v: v.tanh())
        exp = torch.exp if lib is torch else (lambda v: v.exp())
        h = tanh(w * x) * x
        return h / (1 + x * x) - exp(-h) + w * h

    values = (0.7, -1.3)
    tx, tw = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values)
    f(torch, tx, tw).backward()
    x = mgx.Tensor(values[0], requires_grad=True, name="x")
    w = mgx.Tensor(values[1], requires_grad=True, name="w")
    out = f(mgx, x, w)
    for leaf, ref in [(x, tx), (w, tw)]:
        e = explain(out, leaf)
        assert len(e.paths) >= 3
        for p in e.paths:
            assert p.value == pytest.approx(math.prod(f.value for f in p.factors), rel=1e-12)
            assert p.nodes[0] is out and p.nodes[-1] is leaf
            assert len(p.nodes) == len(p.factors) + 1
        assert sum(p.value for p in e.paths) == pytest.approx(e.value, rel=1e-12)
        assert e.value == pytest.approx(ref.grad.item(), rel=1e-10)


# ------------------------------------------------- every op, against central differences
# explain works on scalar graphs: scalar inputs and a scalar output (stack makes a vector of scalars).
SCALAR_CASES = [
    (spec, shapes)
    for spec in SPECS
    for shapes in spec.shapes
    if all(s == () for s in shapes) and spec.name not in ("stack", "concatenate")
]


@pytest.mark.parametrize(
    ("spec", "shapes"), SCALAR_CASES, ids=[f"{s.name}-{len(sh)}" for s, sh in SCALAR_CASES]
)
@pytest.mark.parametrize("twice", [False, True], ids=["one-path", "used-twice"])
def test_every_op_against_central_differences(spec, shapes, twice):
    rng = np.random.default_rng(abs(hash(spec.name)) % 2**32)
    arrays = [np.array(sample(rng, shape)) for sample, shape in zip(spec.samplers, shapes, strict=True)]
    inputs = [mgx.Tensor(a, requires_grad=True, name=f"x{i}") for i, a in enumerate(arrays)]
    out = spec.mgx_fn(*inputs)
    ref = spec.ref_fn
    if twice:  # a second use of x0: one more path
        out = out * inputs[0]

        def ref(*a, _f=spec.ref_fn):
            return _f(*a) * a[0]

    for i, x in enumerate(inputs):
        e = explain(out, x)
        expected = float(central_diff(ref, arrays, i, np.ones(())))
        assert e.value == pytest.approx(expected, rel=1e-5, abs=1e-7), (spec.name, i)
        assert e.value == pytest.approx(sum(p.value for p in e.paths), rel=1e-12)
        if twice and i == 0:
            assert len(e.paths) >= 2


# -------------------------------------------------------------------- special cases
def test_wrt_not_in_the_graph_gives_zero_and_says_so():
    loss, _ = neuron()
    other = mgx.Tensor(1.0, requires_grad=True, name="q")
    e = explain(loss, other)
    assert e.value == 0.0 and e.paths == []
    assert "does not depend on q" in str(e)


def test_wrt_is_the_root():
    loss, _ = neuron()
    e = explain(loss, loss)
    assert e.value == 1.0 and len(e.paths) == 1 and e.paths[0].factors == []


def test_non_scalar_root_or_path_is_rejected():
    v = mgx.Tensor([1.0, 2.0], requires_grad=True, name="v")
    with pytest.raises(ValueError, match=r"root must have one element.*\(2,\)"):
        explain(v * 2, v)
    with pytest.raises(ValueError, match=r"v .*shape \(2,\).*trace_backward"):
        explain((v * v).sum(), v)
    with pytest.raises(TypeError, match="wrt must be a Tensor"):
        explain(v.sum(), 3.0)


def test_exponential_number_of_paths_is_capped():
    x = mgx.Tensor(0.5, requires_grad=True, name="x")
    y = x
    for _ in range(40):
        y = y + y  # paths double per step: 2**40
    with pytest.raises(ValueError, match=r"1099511627776 paths.*max_paths=256"):
        explain(y, x)
    small = x
    for _ in range(5):
        small = small + small
    assert len(explain(small, x).paths) == 32
    with pytest.raises(ValueError, match="max_paths=8"):
        explain(small, x, max_paths=8)


@pytest.mark.parametrize("bad", [-1, 0, 2.5, True, "8", None])
def test_max_paths_must_be_a_positive_integer(bad):
    loss, t = neuron()
    with pytest.raises(
        ValueError, match=rf"max_paths must be a positive integer, got {re.escape(repr(bad))}"
    ):
        explain(loss, t["w1"], max_paths=bad)


def _chain(n):
    x = mgx.Tensor(0.5, requires_grad=True, name="x")
    y = x
    for i in range(n):
        y = y * 1.0001 if i % 2 else y + 0.001
    return x, y


@pytest.mark.slow
def test_explain_on_a_100k_op_chain_takes_seconds():
    import time

    """Issue 9 item 14: the partial path used to be copied at every step, quadratic in depth
    (206 s on this chain). CPU time of this process, so other processes' load does not count."""
    x, y = _chain(100_000)
    start = time.process_time()
    e = explain(y, x)
    text = str(e)
    elapsed = time.process_time() - start
    assert e.value == pytest.approx(1.0001**50_000, rel=1e-10)
    assert len(e.paths[0].factors) == 100_000 and text.count("\n") > 100_000
    assert elapsed < 30, f"explain + str on a 100,000-op chain took {elapsed:.1f} s"


# -------------------------------------------------------------------- names and formats
def test_unnamed_tensors_are_named_by_expression_or_auto_name():
    w1 = mgx.Tensor(0.5, requires_grad=True, name="w1")
    x1 = mgx.Tensor(2.0, name="x1")
    b = mgx.Tensor(-0.5, requires_grad=True, name="b")
    a = (w1 * x1 + b).sigmoid()
    e = explain(a, w1)
    assert e.symbol == "∂σ(w1·x1 + b)/∂w1"
    assert [f.symbol for f in e.paths[0].factors] == [
        "∂σ(w1·x1 + b)/∂(w1·x1 + b)",
        "∂(w1·x1 + b)/∂(w1·x1)",
        "∂(w1·x1)/∂w1",
    ]
    assert e.paths[0].factors[0].rule == "σ(w1·x1 + b)(1−σ(w1·x1 + b))"
    long = a
    for _ in range(3):
        long = long * long - a
    e = explain(long, w1)
    # σ(w1·x1 + b)·σ(w1·x1 + b) is too long: auto-named mul1, and so on.
    assert e.names[id(long)] == "mul3 − σ(w1·x1 + b)"
    assert all(len(n) <= MAX_EXPRESSION for n in e.names.values())
    d = (b - (w1 - x1)) / (x1 * w1)
    assert explain(d, w1).names[id(d)] == "(b − (w1 − x1))/(x1·w1)"
    assert explain(-b * 3, b).names[id(b)] == "b"


def test_model_tensors_are_called_by_the_notes_names():
    nn = pytest.importorskip("microgradx.nn")
    net = nn.MLP(1, [1, 1], activation="tanh", rng=0)
    out = net(mgx.Tensor([[0.3]], name="x")).sum()
    e = explain(out, net.layers[0].weight, model=net)
    assert e.symbol == "∂L/∂W1"
    text = str(e)
    for name in ("∂L/∂ŷ", "∂ŷ/∂(a1@W2)", "∂(a1@W2)/∂a1", "∂a1/∂z1", "∂z1/∂(x@W1)", "∂(x@W1)/∂W1"):
        assert name in text
    assert "layers." not in text


def test_markdown_and_latex():
    loss, t = neuron()
    e = explain(loss, t["w1"])
    md = e.to_markdown()
    assert e._repr_markdown_() == md
    assert md.startswith("**∂L/∂w1 = 0.5851**")
    assert "| ∂a/∂z | σ(z)(1−σ(z)) | 0.2350 |" in md
    tex = e.to_latex()
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    assert r"\frac{\partial L}{\partial w_{1}} &= \frac{\partial L}{\partial a} \cdot" in tex
    assert r"(1.2449) \cdot (0.2350) \cdot (1.0000) \cdot (2.0000) = 0.5851" in tex
    assert tex.count("{") == tex.count("}")
    x = mgx.Tensor(2.0, requires_grad=True, name="x_{evil}|*")
    md2 = explain(x * x, x).to_markdown()
    assert "x\\_{evil}\\|\\*" in md2
    assert explain(x * x, x).to_latex().count("{") == explain(x * x, x).to_latex().count("}")
